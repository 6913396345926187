import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { breakdownQuery, expectedKpiTexts } from './expected-figures.js';
import {
  apiJson, browserUnavailable, deliver, hasRoute, launchBrowser, openRecordedPage, screenshotPath, startTestServer,
} from './browser-fixture.js';
import { refusedCallback, seedCallbacks } from './seed-calls.js';
import { SEED_EXAMPLE_QUERY } from '../fixtures/callback-fixture.js';
import { formatCount, formatDuration, formatPercent } from '../../web/src/format.js';

const unavailable = browserUnavailable();
const required = process.env.REQUIRE_BROWSER === '1';
/** Longest wait for something to appear on a page, in milliseconds (not a timing assertion). */
const WAIT_MS = 15_000;

if (unavailable !== null && !required) process.stderr.write(`\nNOTICE: ${unavailable}\n\n`);

describe('dashboard in headless chromium', { skip: unavailable !== null && !required ? unavailable : false }, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const nowSec = Math.floor(Date.now() / 1000);
  const to = Math.floor(nowSec / 60) * 60 + 60;
  const from = to - 86_400;
  const seeded = seedCallbacks(nowSec);

  before(async () => {
    assert.equal(unavailable, null, unavailable ?? ''); // REQUIRE_BROWSER=1: a missing chromium fails
    server = await startTestServer();
    for (const values of seeded) assert.equal(await deliver(server.url, values), 200);
    assert.equal(await deliver(server.url, Object.fromEntries(new URLSearchParams(SEED_EXAMPLE_QUERY))), 200);
    assert.equal(await deliver(server.url, refusedCallback()), 400);
    browser = await launchBrowser();
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Script errors and console errors (CSP refusals among them) of every page opened with openPage. */
  const pageErrors: string[] = [];

  function openPage(hash: string, options: { dark?: boolean; phone?: boolean } = {}): Promise<Page> {
    return openRecordedPage(context, server.url, hash, { errors: pageErrors, waitMs: WAIT_MS, ...options });
  }

  /** A route the page reads: missing, the test fails here with its name rather than on a blank page. */
  async function assertServed(path: string): Promise<void> {
    assert.ok(await hasRoute(server.url, path), `${path} is served`);
  }

  it('when the overview opens on a range, then every KPI card shows the summary API figure and its change', async () => {
    await assertServed('/api/stats/summary');
    const page = await openPage(`#/overview?range=custom&from=${from}&to=${to}&tz=UTC`);
    try {
      await page.waitForSelector('#view[data-generation="1"]');
      const expected = await expectedKpiTexts(server.url, from, to);
      for (const [key, { value, change }] of Object.entries(expected)) {
        assert.equal(await page.locator(`[data-kpi="${key}"]`).textContent(), value, `KPI ${key}`);
        assert.equal(await page.locator(`[data-change="${key}"]`).textContent(), change, `change of ${key}`);
      }
      assert.equal(expected.attempts?.value, formatCount(seeded.length - 2)); // the seed, minus the previous period's two
      await page.screenshot({ path: screenshotPath('overview-desktop-light'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when the overview opens, then the outcome, ended-by and type tables equal the breakdown API', async () => {
    await assertServed('/api/stats/breakdown');
    const page = await openPage(`#/overview?range=custom&from=${from}&to=${to}&tz=UTC`);
    try {
      await page.waitForSelector('#view[data-generation="1"]');
      for (const by of ['outcome', 'ended_by', 'type'] as const) {
        const answer = await apiJson<{ items: Array<{ value: unknown; attempts: number }> }>(server.url, breakdownQuery(by, from, to));
        const rows = page.locator(`[data-breakdown="${by}"] tbody tr`);
        assert.equal(await rows.count(), answer.items.length, `rows of ${by}`);
        for (const [i, item] of answer.items.entries()) {
          const row = rows.nth(i);
          assert.equal(await row.getAttribute('data-value'), String(item.value));
          assert.equal(await row.locator('[data-col="attempts"]').textContent(), formatCount(item.attempts));
        }
      }
    } finally {
      await page.close();
    }
  });

  it('when the overview opens, then the top reasons are the API reasons with failed or dropped calls, most first', async () => {
    await assertServed('/api/stats/breakdown');
    const page = await openPage(`#/overview?range=custom&from=${from}&to=${to}&tz=UTC`);
    try {
      await page.waitForSelector('#view[data-generation="1"]');
      const answer = await apiJson<{ items: Array<{ value: unknown; failed: number; dropped: number }> }>(server.url, breakdownQuery('reason', from, to));
      const expected = answer.items.filter((i) => i.failed + i.dropped > 0).sort((a, b) => b.failed + b.dropped - (a.failed + a.dropped));
      assert.deepEqual(expected.map((i) => i.value).sort(), ['NETWORK_UNSTABLE', 'PUSH_ERROR']); // the seed's one dropped, one failed
      const rows = page.locator('[data-breakdown="reason"] tbody tr');
      assert.deepEqual(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-value'))), expected.map((i) => String(i.value)));
      for (const [i, item] of expected.entries()) {
        assert.equal(await rows.nth(i).locator('[data-col="failed"]').textContent(), formatCount(item.failed));
        assert.equal(await rows.nth(i).locator('[data-col="dropped"]').textContent(), formatCount(item.dropped));
      }
    } finally {
      await page.close();
    }
  });

  it('when the overview opens, then the duration histogram shows the short-call share and the percentile ranges of the summary', async () => {
    await assertServed('/api/stats/summary');
    const page = await openPage(`#/overview?range=custom&from=${from}&to=${to}&tz=UTC`);
    try {
      await page.waitForSelector('#view[data-generation="1"]');
      const { summary } = await apiJson<{ summary: HistogramFigures }>(server.url, `/api/stats/summary?from=${from}&to=${to}`);
      assert.ok(summary.duration_p50_sec !== null && summary.duration_p50_sec >= 10); // so "under 10 s" is the first bin
      const rows = page.locator('[data-testid="histogram"] tbody tr');
      assert.ok((await rows.count()) >= 3); // equal percentiles merge into one bin
      assert.equal(await rows.nth(0).locator('td').first().textContent(), 'under 10 s');
      assert.equal(await rows.nth(0).locator('[data-col="share"]').textContent(), formatPercent(summary.short_call_ratio));
      assert.equal(await rows.nth(1).locator('[data-col="share"]').textContent(), formatPercent(0.5 - (summary.short_call_ratio ?? 0)));
      assert.equal(await rows.nth(1).locator('td').first().textContent(), `10 s – ${formatDuration(summary.duration_p50_sec)} (to the median)`);
      assert.equal(await rows.last().locator('[data-col="share"]').textContent(), formatPercent(0.01));
      assert.equal(await rows.last().locator('td').first().textContent(), `over ${formatDuration(summary.duration_p99_sec)}`);
    } finally {
      await page.close();
    }
  });

  it('when live and a callback arrives, then the overview counts it without a reload', async () => {
    await assertServed('/api/stats/summary');
    const page = await openPage('#/overview?range=1h&refresh=1&tz=UTC', { dark: true, phone: true });
    try {
      await page.waitForSelector('#view[data-generation="1"]');
      const before = await apiJson<{ summary: { attempts: number } }>(server.url, `/api/stats/summary?from=${nowSec - 3000}`);
      assert.equal(await page.locator('[data-kpi="attempts"]').textContent(), formatCount(before.summary.attempts));
      await page.screenshot({ path: screenshotPath('overview-phone-dark'), fullPage: true });
      const extra = seedCallbacks(Math.floor(Date.now() / 1000))[0] ?? {};
      assert.equal(await deliver(server.url, { ...extra, sid: crypto.randomUUID(), from_user_id: 'live.caller' }), 200);
      await page.waitForFunction(
        (expected) => (globalThis as unknown as BrowserGlobals).document.querySelector('[data-kpi="attempts"]')?.textContent === expected,
        formatCount(before.summary.attempts + 1),
      );
    } finally {
      await page.close();
    }
  });

  it('when the call log is filtered by user and outcome, then its rows are the API list for the same filters', async () => {
    await assertServed('/api/calls');
    const page = await openPage('#/calls');
    try {
      await page.waitForSelector('#view[data-loaded="true"]');
      const all = await apiJson<{ items: Array<{ sid: string }> }>(server.url, '/api/calls');
      assert.equal(await page.locator('table.calls tbody tr').count(), all.items.length);
      await page.fill('input[name="user"]', 'alice');
      await page.check('input[name="outcome"][value="completed"]');
      const filtered = await apiJson<{ items: Array<{ sid: string; duration: number }> }>(server.url, '/api/calls?user=alice&outcome=completed');
      assert.equal(filtered.items.length, 3);
      await page.click('button[type="submit"]');
      await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).location.hash.includes('user=alice'));
      await page.waitForSelector('#view[data-loaded="true"]');
      await waitForFirstRow(page, filtered.items[0]?.sid);
      const sids = await page.locator('table.calls tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sid')));
      assert.deepEqual(sids, filtered.items.map((c) => c.sid));
      const durations = await page.locator('table.calls tbody td[data-col="duration"]').allTextContents();
      assert.deepEqual(durations, filtered.items.map((c) => formatDuration(c.duration)));
      await page.screenshot({ path: screenshotPath('calls-desktop-light'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('calls-phone-dark'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when the call log pages with Older and Newer, then each page holds the API page for the same cursor', async () => {
    const page = await openPage('#/calls?limit=5');
    try {
      const first = await apiJson<{ items: Array<{ sid: string }>; next_cursor: string | null }>(server.url, '/api/calls?limit=5');
      assert.ok(first.next_cursor !== null);
      const second = await apiJson<{ items: Array<{ sid: string }> }>(server.url, `/api/calls?limit=5&cursor=${encodeURIComponent(first.next_cursor)}`);
      const shownSids = () => page.locator('table.calls tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sid')));
      await page.waitForSelector('#view[data-loaded="true"]');
      assert.deepEqual(await shownSids(), first.items.map((c) => c.sid));
      await page.click('[data-testid="older"]');
      await waitForFirstRow(page, second.items[0]?.sid);
      assert.deepEqual(await shownSids(), second.items.map((c) => c.sid));
      await page.click('[data-testid="newer"]');
      await waitForFirstRow(page, first.items[0]?.sid);
      assert.deepEqual(await shownSids(), first.items.map((c) => c.sid));
    } finally {
      await page.close();
    }
  });

  it('when Export CSV is pressed on a filtered log, then the download is the export API answer for the same filters', async () => {
    const page = await openPage('#/calls?user=alice');
    try {
      await page.waitForSelector('#view[data-loaded="true"]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV')]);
      const path = await download.path();
      const csv = readFileSync(path, 'utf8');
      const expected = await (await fetch(`${server.url}/api/calls/export?format=csv&user=alice`)).text();
      assert.equal(download.suggestedFilename(), 'calls.csv');
      assert.equal(csv, expected);
      assert.ok(csv.trim().split('\n').length > 1);
    } finally {
      await page.close();
    }
  });

  it('when a call is opened from the log, then its page shows the API status, decoded codes and fields', async () => {
    const page = await openPage('#/calls?outcome=dropped');
    try {
      await page.waitForSelector('#view[data-loaded="true"]');
      const link = page.locator('table.calls tbody tr a').first();
      const href = await link.getAttribute('href');
      await link.click();
      await page.waitForSelector('[data-testid="explanation"]');
      const sid = decodeURIComponent((href ?? '').replace('#/calls/', ''));
      const call = await apiJson<CallAnswer>(server.url, `/api/calls/${sid}`);
      assert.equal(call.status.outcome, 'dropped');
      assert.equal(await page.locator('[data-testid="explanation"]').textContent(), call.status.explanation);
      assert.equal(await page.locator('[data-testid="decoded"] tr[data-field="disconnect_reason"] code').textContent(), call.status.decoded.disconnect_reason?.name);
      assert.equal(await page.locator('[data-field="duration"]').textContent(), String(call.duration));
      assert.match(await page.locator('[data-testid="callback-query"]').textContent() ?? '', new RegExp(`sid=${sid}`));
    } finally {
      await page.close();
    }
  });

  it('when a call has disagreeing signals, then its page lists each inconsistency the API reports', async () => {
    const sid = '6364e8b3-bdac-436e-9631-0bce2498ce0c';
    const page = await openPage(`#/calls/${sid}`, { dark: true });
    try {
      await page.waitForSelector('[data-testid="explanation"]');
      const call = await apiJson<CallAnswer>(server.url, `/api/calls/${sid}`);
      assert.ok(call.status.inconsistencies.length > 0);
      const items = await page.locator('[data-testid="inconsistencies"] li').allTextContents();
      assert.deepEqual(items, call.status.inconsistencies.map((i) => `${i.code} ${i.message}`));
      await page.screenshot({ path: screenshotPath('call-detail-dark'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when the seed example opens, then outcome, connection, explanation and timeline tell one story: rejected, never connected', async () => {
    const sid = '6364e8b3-bdac-436e-9631-0bce2498ce0c';
    const page = await openPage(`#/calls/${sid}`);
    try {
      await page.waitForSelector('[data-testid="explanation"]');
      const call = await apiJson<CallAnswer>(server.url, `/api/calls/${sid}`);
      assert.deepEqual([call.status.outcome, call.status.ended_by, call.status.connected], ['rejected', 'callee', false]);
      assert.match(await page.locator('[data-testid="outcome"]').textContent() ?? '', /rejected/i);
      const status = await page.locator('[data-testid="status"]').textContent() ?? '';
      assert.match(status, /Connectedno \(no talk time\)/);
      const story = `${await page.locator('[data-testid="explanation"]').textContent()} ${await page.locator('[data-testid="timeline"]').textContent()}`;
      assert.match(story, /never connected/);
      assert.doesNotMatch(story, /The call connected|answered after|talked/);
    } finally {
      await page.close();
    }
  });

  it('when the quarantine page opens, then it shows each refused callback with the API reasons', async () => {
    const page = await openPage('#/quarantine', { phone: true });
    try {
      await page.waitForSelector('#view[data-loaded="true"]');
      const answer = await apiJson<{ items: Array<{ id: number; reasons: Array<{ field: string; problem: string }> }> }>(server.url, '/api/quarantine');
      assert.equal(answer.items.length, 1);
      const entry = answer.items[0];
      assert.ok(entry);
      const reasons = await page.locator(`article[data-id="${entry.id}"] .reasons li`).allTextContents();
      assert.deepEqual(reasons, entry.reasons.map((r) => `${r.field} ${r.problem}`));
      await page.screenshot({ path: screenshotPath('quarantine-phone-light'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when a replay is checked on the quarantine page, then the dry run lists each entry and changes nothing', async () => {
    const page = await openPage('#/quarantine');
    try {
      await page.waitForSelector('#view[data-loaded="true"]');
      await page.click('button.dry-run-replay');
      const summary = await page.locator('.replay-summary').textContent();
      assert.equal(summary, 'Dry run, nothing written: 0 accepted, 0 duplicate, 0 conflict, 1 still refused');
      const stays = await page.locator('.replay-entries li[data-result="quarantined"]').allTextContents();
      assert.equal(stays.length, 1);
      assert.match(stays[0] ?? '', /would stay: sid .*; duration /);
      // Nothing would become a call, so there is nothing to confirm.
      assert.equal(await page.locator('button.confirm-replay').count(), 0);
      assert.equal((await apiJson<{ items: unknown[] }>(server.url, '/api/quarantine')).items.length, 1);
    } finally {
      await page.close();
    }
  });

  it('when the pages above were used, then none raised a script error or a console error', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('when API_TOKEN is set, then the dashboard asks once, keeps the token for the tab and never puts it in a URL', async () => {
    const token = 'browser-test-token-0123456789';
    const guarded = await startTestServer({ API_TOKEN: token });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const urls: string[] = [];
    const authorized: string[] = [];
    page.on('request', (r) => {
      urls.push(r.url());
      const auth = r.headers().authorization;
      if (auth !== undefined) authorized.push(auth);
    });
    try {
      assert.equal(await deliver(guarded.url, seeded[0] ?? {}), 200);
      await page.goto(`${guarded.url}/#/calls`);
      await page.waitForSelector('#token-dialog[open]');
      await page.screenshot({ path: screenshotPath('token-prompt') });
      await page.fill('#token-input', 'wrong-token-0123456789');
      await page.click('#token-dialog button[type="submit"]');
      await page.waitForSelector('#token-dialog[open] [role="alert"]'); // refused: asked again, saying why
      await page.fill('#token-input', token);
      await page.click('#token-dialog button[type="submit"]');
      await page.waitForSelector('#view[data-loaded="true"]');
      assert.equal(await page.locator('table.calls tbody tr').count(), 1);
      await page.reload();
      await page.waitForSelector('#view[data-loaded="true"]');
      assert.equal(await page.locator('#token-dialog').count(), 0, 'no second prompt after a reload in the same tab');
      assert.equal(await page.locator('table.calls tbody tr').count(), 1);
      assert.ok(authorized.includes(`Bearer ${token}`));
      assert.ok(urls.every((u) => !u.includes(token) && !u.includes('wrong-token')), 'the token never appears in a URL');
    } finally {
      await page.close();
      await guarded.stop();
    }
  });
});

/** Waits until the call table's first row is this call (a new page has replaced the old one). */
async function waitForFirstRow(page: Page, sid: string | undefined): Promise<void> {
  await page.waitForFunction(
    (expected) => (globalThis as unknown as BrowserGlobals).document.querySelector('table.calls tbody tr')?.getAttribute('data-sid') === expected,
    sid ?? null,
  );
}

/** The little of the browser's globals the page functions use (the tests compile without the DOM types). */
interface BrowserGlobals {
  document: { querySelector(selector: string): { textContent: string | null; getAttribute(name: string): string | null } | null };
  location: { hash: string };
}

interface HistogramFigures {
  short_call_ratio: number | null;
  duration_p50_sec: number | null;
  duration_p99_sec: number | null;
}

interface CallAnswer {
  duration: number;
  status: {
    outcome: string;
    ended_by: string;
    connected: boolean;
    explanation: string;
    inconsistencies: Array<{ code: string; message: string }>;
    decoded: { disconnect_reason: { name: string } | null };
  };
}
