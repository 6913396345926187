import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { createRandom } from '../../src/simulate/random.js';
import { formatDurationMs, formatPercent, formatTime, formatTimeMs } from '../../web/src/format.js';
import type { GroupCallJson, GroupCallPage } from '../../web/src/api-types.js';
import { groupCallValuesOf } from '../fixtures/group-call-fixture.js';
import { apiJson, browserUnavailable, launchBrowser, openRecordedPage, screenshotPath, startTestServer } from './browser-fixture.js';
import { handWrittenRooms, type SeededRoom, shuffled, simulatedRooms } from './group-seed.js';

const unavailable = browserUnavailable();
const required = process.env.REQUIRE_BROWSER === '1';
/** Longest wait for something to appear on a page, in milliseconds (not a timing assertion). */
const WAIT_MS = 15_000;

/** Delivers one Group Call Event as LINE Planet does (GET, query keys); returns the answer's result. */
async function deliverGroupEvent(base: string, values: Record<string, string>): Promise<string> {
  const response = await fetch(`${base}/callbacks/group-call-event?${new URLSearchParams(values)}`);
  const body = (await response.json()) as { result?: string };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.result ?? '';
}

/** The stay badges of a list row as `{status: count}`. */
function shownStayCounts(row: Locator): Promise<Record<string, number>> {
  return row.locator('[data-col="stays"] [data-status]').evaluateAll((badges) =>
    Object.fromEntries(badges.map((b) => [b.getAttribute('data-status') ?? '', Number(b.getAttribute('data-count'))])));
}

describe('group call list and room page (headless chromium)', { skip: unavailable !== null && !required ? unavailable : false }, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const nowMs = Date.now();
  const { alpha, beta, gamma, delta } = handWrittenRooms(nowMs);
  const simulated = simulatedRooms(nowMs, 2, 'group-calls-browser');
  const rooms: SeededRoom[] = [alpha, beta, gamma, delta, ...simulated];
  const pageErrors: string[] = [];

  before(async () => {
    assert.equal(unavailable, null, unavailable ?? '');
    server = await startTestServer();
    // Every room's events interleaved in a random order, as several LINE Planet servers might send them.
    const events = shuffled(rooms.flatMap((r) => r.events), createRandom('group-calls-delivery'));
    for (const event of events) assert.equal(await deliverGroupEvent(server.url, groupCallValuesOf(event)), 'accepted');
    const repeated = alpha.events[3];
    assert.ok(repeated);
    assert.equal(await deliverGroupEvent(server.url, groupCallValuesOf(repeated)), 'duplicate');
    browser = await launchBrowser();
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  function open(hash: string, options: { dark?: boolean } = {}): Promise<Page> {
    return openRecordedPage(context, server.url, hash, { errors: pageErrors, waitMs: WAIT_MS, loaded: true, ...options });
  }

  /** Does something that changes the page (a click, a submit) and waits until the new page has loaded. */
  async function andWait(page: Page, action: () => Promise<void>): Promise<void> {
    // The old page's marker is taken off first: only the next page can set it again.
    await page.locator('#view').evaluate((view) => view.removeAttribute('data-loaded'));
    await action();
    await page.waitForSelector('#view[data-loaded="true"]');
  }

  const shownSids = (page: Page) => page.locator('[data-testid="group-calls"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sid')));

  it('when rooms were delivered shuffled with a repeat, then the list shows each newest first with its state, start, participants and stay counts', async () => {
    const page = await open('#/group-calls?tz=UTC');
    try {
      const byStart = [...rooms].sort((x, y) => y.startedAt - x.startedAt);
      assert.deepEqual(await shownSids(page), byStart.map((r) => r.sid));
      for (const room of rooms) {
        const row = page.locator(`tr[data-sid="${room.sid}"]`);
        assert.equal(await row.getAttribute('data-state'), room.state, `state of ${room.id}`);
        assert.equal(await row.locator('[data-col="state"] .badge').getAttribute('data-state'), room.state);
        assert.equal(await row.locator('td').first().textContent(), formatTime(Math.floor(room.startedAt / 1000), 'UTC'), `start of ${room.id}`);
        assert.equal(await row.locator('[data-col="participants"]').textContent(), String(room.participants), `participants of ${room.id}`);
        assert.deepEqual(await shownStayCounts(row), room.stayCounts, `stay counts of ${room.id}`);
      }
      assert.match(await page.locator(`tr[data-sid="${beta.sid}"] [data-col="stays"]`).textContent() ?? '', /2 kicked/);
      assert.equal(await page.locator(`tr[data-sid="${gamma.sid}"] [data-col="duration"]`).textContent(), '—', 'a room in progress has no duration yet');
      assert.equal(await page.locator(`tr[data-sid="${alpha.sid}"] [data-col="duration"]`).textContent(), '2 m 00 s');
      await page.screenshot({ path: screenshotPath('group-calls-list'), fullPage: true });
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('when filters are applied in the form, then the list narrows to the matching rooms and the hash keeps them', async () => {
    const page = await open('#/group-calls');
    try {
      await andWait(page, async () => {
        await page.fill('input[name="id"]', 'beta');
        await page.click('form.filters button[type="submit"]');
      });
      assert.deepEqual(await shownSids(page), [beta.sid]);
      assert.match(page.url(), /#\/group-calls\?id=beta$/);

      await andWait(page, async () => {
        await page.fill('input[name="id"]', '');
        await page.selectOption('select[name="stay_status"]', 'failed_to_join');
        await page.click('form.filters button[type="submit"]');
      });
      const withFailure = rooms.filter((r) => (r.stayCounts.failed_to_join ?? 0) > 0).sort((x, y) => y.startedAt - x.startedAt);
      assert.ok(withFailure.includes(alpha));
      assert.deepEqual(await shownSids(page), withFailure.map((r) => r.sid));

      // A link reproduces the view: state and participant from the hash alone.
      await andWait(page, () => page.goto(`${server.url}/#/group-calls?state=in_progress`).then(() => undefined));
      assert.deepEqual(await shownSids(page), [gamma.sid]);
      assert.equal(await page.locator('select[name="state"]').inputValue(), 'in_progress');
      await andWait(page, () => page.goto(`${server.url}/#/group-calls?user_id=carol`).then(() => undefined));
      assert.deepEqual(await shownSids(page), [alpha.sid]);
      await andWait(page, () => page.goto(`${server.url}/#/group-calls?id=no-such-room`).then(() => undefined));
      assert.equal(await page.locator('[data-testid="group-calls-status"]').textContent(), 'No group calls match these filters.');
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('when the list pages two at a time, then Older walks every room once in the API order and Newer comes back', async () => {
    const page = await open('#/group-calls?limit=2');
    try {
      const all = await apiJson<GroupCallPage>(server.url, '/api/group-calls');
      const seen = [...await shownSids(page)];
      const firstPage = [...seen];
      assert.equal(firstPage.length, 2);
      while (await page.locator('[data-testid="older"]').count() > 0) {
        await andWait(page, () => page.click('[data-testid="older"]'));
        const rows = await shownSids(page);
        assert.ok(rows.length >= 1 && rows.length <= 2);
        seen.push(...rows);
      }
      assert.deepEqual(seen, all.items.map((c) => c.sid));
      assert.equal(seen.length, rooms.length);
      await andWait(page, () => page.click('[data-testid="newer"]'));
      await andWait(page, () => page.click('[data-testid="newer"]'));
      assert.deepEqual(await shownSids(page), firstPage);
      assert.equal(await page.locator('[data-testid="newer"]').count(), 0, 'the first page has no newer one');
    } finally {
      await page.close();
    }
  });

  it('when a room is opened from the list, then its timeline has a lane per participant and a bar per stay, placed in time and coloured by status', async () => {
    const page = await open('#/group-calls?tz=UTC');
    try {
      await andWait(page, () => page.click(`tr[data-sid="${alpha.sid}"] a`));
      assert.match(page.url(), new RegExp(`#/group-calls/${alpha.sid}$`));
      assert.equal(await page.textContent('[data-testid="room-id"]'), 'alpha');
      assert.match(await page.textContent('[data-testid="state-explanation"]') ?? '', /^Ended: .*2 m 00 s after its start/);

      const timeline = page.locator('[data-testid="participant-timeline"]');
      const lanes = await timeline.locator('.lane').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-user')));
      assert.deepEqual(lanes, ['alice', 'bob', 'carol'], 'one lane per participant, in the order they came');
      assert.equal(await timeline.locator('.stay').count(), 4);
      const stay = (user: string, status: string) => timeline.locator(`.lane[data-user="${user}"] .stay.${status}`);
      const box = async (l: Locator) => {
        const b = await l.boundingBox();
        assert.ok(b, 'the mark is drawn');
        return b;
      };
      const alice = await box(stay('alice', 'completed').locator('.stay-bar'));
      const bob = await box(stay('bob', 'completed').locator('.stay-bar'));
      const carolTry = await box(stay('carol', 'failed_to_join'));
      const carol = await box(stay('carol', 'dropped').locator('.stay-bar'));
      assert.equal(await stay('carol', 'failed_to_join').locator('.attempt-mark').count(), 1, 'a failed attempt is a mark, not a bar');
      assert.equal(await stay('carol', 'failed_to_join').locator('.stay-bar').count(), 0);
      // bob joined 10 s after alice, carol tried at 15 s, joined at 70 s after bob left at 60 s.
      assert.ok(alice.y + alice.height <= bob.y && bob.y + bob.height <= carol.y, 'each lane below the one before, bars inside their lanes');
      assert.ok(alice.x < bob.x, 'bob joined after alice');
      assert.ok(bob.x < carolTry.x + carolTry.width / 2 && carolTry.x + carolTry.width / 2 < carol.x, "carol's attempt lies between bob's join and her own");
      assert.ok(bob.x + bob.width < carol.x, 'bob left before carol joined');
      assert.ok(bob.width > carol.width, 'bob stayed 50 s, carol 20 s');
      const end = await box(timeline.locator('[data-testid="room-end"] line'));
      assert.ok(Math.abs(alice.x + alice.width - (end.x + end.width / 2)) < 2, "alice's stay ends on the room's end line");
      const start = await box(timeline.locator('[data-testid="room-start"] line'));
      assert.ok(Math.abs(alice.x - (start.x + start.width / 2)) < 2, "alice's stay starts on the room's start line");
      const change = await box(stay('bob', 'completed').locator('.media-change'));
      assert.ok(bob.x < change.x && change.x + change.width < bob.x + bob.width, "bob's switch to audio is marked inside his bar");
      const colours = await timeline.locator('.stay .stay-bar').evaluateAll((bars) =>
        new Set(bars.map((b) => (globalThis as unknown as StyleGlobals).getComputedStyle(b).fill)).size);
      assert.equal(colours, 2, 'completed and dropped bars differ in colour');
      await page.screenshot({ path: screenshotPath('group-call-room-light'), fullPage: true });
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it("when a stay is pointed at or focused, then its details appear: join, leave, duration, status, reason, ended by, explanation, device", async () => {
    const call = await apiJson<GroupCallJson>(server.url, `/api/group-calls/${alpha.sid}`);
    const page = await open(`#/group-calls/${alpha.sid}?tz=UTC`);
    try {
      const details = page.locator('[data-testid="stay-details"]');
      await page.hover('.lane[data-user="carol"] .stay.dropped .stay-bar');
      const dropped = call.stays.find((s) => s.user_id === 'carol' && s.status === 'dropped');
      assert.ok(dropped);
      assert.equal(await details.locator('[data-testid="stay-explanation"]').textContent(), dropped.explanation);
      const facts = await details.locator('[data-testid="stay-facts"] tr').evaluateAll((rows) =>
        Object.fromEntries(rows.map((r) => [r.querySelector('th')?.textContent ?? '', r.querySelector('td')?.textContent ?? ''])));
      assert.equal(facts.Status, 'Dropped');
      assert.equal(facts.Reason, 'APP_DESTROY');
      assert.equal(facts.Joined, formatTimeMs(alpha.startedAt + 70_000, 'UTC'));
      assert.equal(facts.Left, formatTimeMs(alpha.startedAt + 90_000, 'UTC'));
      assert.equal(facts.Duration, '20 s');
      assert.equal(facts['Ended by'], 'Participant');
      assert.equal(facts.Device, 'ANDROID');

      await page.locator('.lane[data-user="bob"] .stay').focus();
      await page.waitForSelector('[data-testid="stay-details"] [data-status="completed"]');
      const bobFacts = await details.locator('[data-testid="stay-facts"] tr').evaluateAll((rows) =>
        Object.fromEntries(rows.map((r) => [r.querySelector('th')?.textContent ?? '', r.querySelector('td')?.textContent ?? ''])));
      assert.equal(bobFacts.Device, 'IOS');
      assert.match(bobFacts.Participant ?? '', /Bob B/);
      assert.equal(bobFacts.Media, `Video → Audio at ${formatTimeMs(alpha.startedAt + 30_000, 'UTC')}`);
    } finally {
      await page.close();
    }
  });

  it('when a room page opens, then the stays table holds every stay of the API with its times, status, reason and explanation', async () => {
    for (const room of rooms) {
      const call = await apiJson<GroupCallJson>(server.url, `/api/group-calls/${room.sid}`);
      const page = await open(`#/group-calls/${room.sid}?tz=UTC`);
      try {
        const rows = await page.locator('[data-testid="stays"] tbody tr').evaluateAll((trs) => trs.map((tr) => {
          const cell = (col: string) => tr.querySelector(`[data-col="${col}"]`)?.textContent ?? '';
          return { user: tr.getAttribute('data-user'), status: tr.getAttribute('data-status'), joined: cell('joined'), left: cell('left'), duration: cell('duration'), reason: cell('reason'), explanation: tr.querySelector('[data-col="explanation"]')?.firstChild?.textContent ?? '', device: cell('device') };
        }));
        assert.deepEqual(rows, call.stays.map((s) => ({
          user: s.user_id, status: s.status,
          joined: s.joined_at === null ? 'never' : formatTimeMs(s.joined_at, 'UTC'),
          left: s.left_at === null ? (s.joined_at === null ? '—' : 'still in the room') : formatTimeMs(s.left_at, 'UTC'),
          duration: formatDurationMs(s.duration_ms), reason: s.reason ?? '', explanation: s.explanation, device: s.ue_type,
        })), `stays of ${room.id}`);
        // The timeline draws the same stays: one mark per stay, with the same status.
        const marks = await page.locator('[data-testid="participant-timeline"] .stay').evaluateAll((gs) =>
          gs.map((g) => `${g.getAttribute('data-index')}:${g.getAttribute('data-status')}`).sort());
        assert.deepEqual(marks, call.stays.map((s, i) => `${i}:${s.status}`).sort());
        const expected = Object.entries(room.stayCounts).flatMap(([status, n]) => Array.from({ length: n }, () => status)).sort();
        assert.deepEqual(rows.map((r) => r.status).sort(), expected, `the statuses the rules give ${room.id}`);
      } finally {
        await page.close();
      }
    }
    assert.deepEqual(pageErrors, []);
  });

  it('when a room was kicked and timed out, then its page says who was kicked, by whom, and who timed out', async () => {
    const page = await open(`#/group-calls/${beta.sid}`);
    try {
      const row = (user: string) => page.locator(`[data-testid="stays"] tr[data-user="${user}"]`);
      assert.equal(await row('dave').getAttribute('data-status'), 'kicked');
      assert.equal(await row('dave').locator('[data-col="reason"]').textContent(), 'ALONE_KICK_OUT');
      assert.equal(await row('erin').getAttribute('data-status'), 'kicked');
      assert.equal(await row('erin').locator('[data-col="ended-by"]').textContent(), 'App server');
      assert.equal(await row('frank').getAttribute('data-status'), 'timed_out');
      assert.equal(await page.locator('[data-testid="participant-timeline"] .stay.kicked').count(), 2);
      assert.equal(await page.locator('[data-testid="participant-timeline"] .stay.timed_out').count(), 1);
    } finally {
      await page.close();
    }
  });

  it('when a room has no end yet, then its page says in progress, its open stays run to now and are marked open', async () => {
    const page = await open(`#/group-calls/${gamma.sid}?tz=UTC`, { dark: true });
    try {
      assert.equal(await page.getAttribute('.page-head .badge.state', 'data-state'), 'in_progress');
      assert.match(await page.textContent('[data-testid="state-explanation"]') ?? '', /^In progress: .*end missing from/);
      const timeline = page.locator('[data-testid="participant-timeline"]');
      assert.equal(await timeline.locator('[data-testid="room-end"]').count(), 0);
      const now = await timeline.locator('[data-testid="room-now"] line').boundingBox();
      assert.ok(now);
      const hank = await timeline.locator('.lane[data-user="hank"] .stay').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-status'), g.hasAttribute('data-open')]));
      assert.deepEqual(hank, [['completed', false], ['in_room', true]]);
      for (const bar of await timeline.locator('.stay[data-open] .stay-bar').all()) {
        const b = await bar.boundingBox();
        assert.ok(b && Math.abs(b.x + b.width - (now.x + now.width / 2)) < 2, 'an open stay runs to now');
      }
      assert.equal(await timeline.locator('.stay[data-open]').count(), 2);
      await page.screenshot({ path: screenshotPath('group-call-room-dark'), fullPage: true });
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it("when a room's start never came and LINE Planet counted more people than callevt saw, then its page shows both flags and both peaks", async () => {
    const page = await open(`#/group-calls/${delta.sid}`);
    try {
      const flags = await page.locator('[data-testid="session-flags"] [data-flag]').evaluateAll((items) => items.map((i) => i.getAttribute('data-flag')).sort());
      assert.deepEqual(flags, ['online_disagrees', 'start_missing']);
      assert.equal(await page.textContent('[data-field="peak_online"]'), '3');
      assert.equal(await page.textContent('[data-field="peak_stays"]'), '2');
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('when the overview opens, then its Group calls panel counts the rooms of the range, their stays, failed joins and drops, and links to the list', async () => {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`overview: ${error.message}`));
    page.setDefaultTimeout(WAIT_MS);
    try {
      await page.goto(`${server.url}/#/overview?range=24h&live=0`);
      // The overview marks a finished refresh, its group figures last, with data-generation.
      await page.waitForSelector('#view[data-generation]');
      const counts = { stays: 0, failed_to_join: 0, drops: 0, in_room: 0 };
      for (const room of rooms) {
        for (const [status, n = 0] of Object.entries(room.stayCounts)) {
          counts.stays += n;
          if (status === 'failed_to_join') counts.failed_to_join += n;
          if (status === 'dropped' || status === 'timed_out') counts.drops += n;
          if (status === 'in_room') counts.in_room += n;
        }
      }
      const kpi = (key: string) => page.textContent(`[data-group-kpi="${key}"]`);
      assert.equal(await kpi('sessions'), String(rooms.length));
      assert.equal(await kpi('join_failure_rate'), formatPercent(counts.failed_to_join / counts.stays));
      assert.equal(await kpi('drop_rate'), formatPercent(counts.drops / (counts.stays - counts.failed_to_join - counts.in_room)));
      assert.equal(await kpi('sessions_end_missing'), '0');
      const tableTotal = (kind: string) => page.locator(`[data-group-reasons="${kind}"] tbody td.num`).evaluateAll((cells) => cells.reduce((sum, c) => sum + Number(c.textContent), 0));
      assert.equal(await tableTotal('drops'), counts.drops);
      assert.equal(await tableTotal('join-failures'), counts.failed_to_join);
      assert.ok(await page.locator('[data-testid="group-stats"] .chart canvas').count() > 0, 'the group chart is drawn');
      await andWait(page, () => page.click('[data-testid="group-stats"] a[href^="#/group-calls"]'));
      assert.deepEqual((await shownSids(page)).sort(), rooms.map((r) => r.sid).sort());
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });

  it('when the sid is unknown, then the room page says so', async () => {
    const page = await open('#/group-calls/0123456789abcdef0123456789abcdef');
    try {
      assert.match(await page.textContent('[role="alert"]') ?? '', /No group call with sid/);
    } finally {
      await page.close();
    }
  });

  it('when API_TOKEN is set, then the list asks for the token once and the room page opens with it', async () => {
    const token = 'group-browser-token-0123456789';
    const guarded = await startTestServer({ API_TOKEN: token });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    try {
      for (const event of gamma.events) assert.equal(await deliverGroupEvent(guarded.url, groupCallValuesOf(event)), 'accepted');
      await page.goto(`${guarded.url}/#/group-calls`);
      await page.waitForSelector('#token-dialog[open]');
      await page.fill('#token-input', token);
      await andWait(page, () => page.click('#token-dialog button[type="submit"]'));
      assert.deepEqual(await shownSids(page), [gamma.sid]);
      await andWait(page, () => page.click(`tr[data-sid="${gamma.sid}"] a`));
      assert.equal(await page.locator('#token-dialog').count(), 0, 'no second prompt in the same tab');
      assert.equal(await page.locator('[data-testid="stays"] tbody tr').count(), 3);
    } finally {
      await page.close();
      await guarded.stop();
    }
  });
});

/** The little of the browser's globals the page functions use (the tests compile without the DOM types). */
interface StyleGlobals {
  getComputedStyle(element: unknown): { fill: string };
}
