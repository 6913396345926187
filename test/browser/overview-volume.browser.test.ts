import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { browserUnavailable, deliver, launchBrowser, screenshotPath, startTestServer } from './browser-fixture.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { parseCsv } from '../fixtures/parse-csv.js';

const unavailable = browserUnavailable();
const required = process.env.REQUIRE_BROWSER === '1';
/** Longest wait for something to appear on a page, in milliseconds (not a timing assertion). */
const WAIT_MS = 15_000;
const DAY = 86_400;

/** An answered call (completed) or a failed one with the given disconnect_reason, set up at `setup`. */
function callAt(setup: number, failedWith?: string): Record<string, string> {
  if (failedWith === undefined) {
    return validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 65), duration: '60', billing_sec: '60' });
  }
  return validCallbackValues({
    setup_time: String(setup), start_time: '0', end_time: String(setup + 10), duration: '0', billing_sec: '0',
    terminate: '127', disconnect_reason: failedWith, releaser_type: '4', rel_code_str: 'ERROR',
  });
}

/** A value a spreadsheet would run, as a caller could put in app_svr_data. */
const FORMULA = '=HYPERLINK("http://evil.example","click")';

/** Reasons with the longest names LINE Planet has: the reason table must still fit. */
const LONG_REASONS = ['1511', '1507', '1405', '1313', '1508'];

describe('overview on few calls at 1280 px, and the CSV export button', { skip: unavailable !== null && !required ? unavailable : false }, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  // A: a day of 6 calls (5 failed with long reasons) after a day of 3. B: 25 calls in one hour
  // and 2 in another, after a day of 30.
  const aTo = Math.floor(Date.now() / 1000 / 3600) * 3600 - 20 * DAY;
  const aFrom = aTo - DAY;
  const bTo = aTo - 10 * DAY;
  const bFrom = bTo - DAY;

  before(async () => {
    assert.equal(unavailable, null, unavailable ?? '');
    server = await startTestServer();
    const calls = [
      ...LONG_REASONS.map((reason, i) => callAt(aFrom + 600 + i * 60, reason)),
      callAt(aFrom + 7_200),
      ...[1, 2, 3].map((i) => callAt(aFrom - DAY + i * 3_600)),
      ...Array.from({ length: 25 }, (_, i) => callAt(bFrom + 3_600 + i * 60, i % 5 === 0 ? '1301' : undefined)),
      callAt(bFrom + 5 * 3_600, '1302'),
      callAt(bFrom + 5 * 3_600 + 60, '1302'),
      ...Array.from({ length: 30 }, (_, i) => callAt(bFrom - DAY + i * 600)),
      { ...callAt(bFrom - 5 * DAY), from_user_id: 'formula.user', app_svr_data: FORMULA },
    ];
    for (const values of calls) assert.equal(await deliver(server.url, values), 200);
    browser = await launchBrowser();
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openOverview(from: number, to: number): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}/#/overview?range=custom&from=${from}&to=${to}&tz=UTC`);
    await page.waitForSelector('#view[data-generation="1"]');
    return page;
  }

  it('when the viewport is 1280 px wide, then the reasons table (and the ended-by table) fit without horizontal overflow', async () => {
    const page = await openOverview(aFrom, aTo);
    try {
      const rows = await page.locator('[data-breakdown="reason"] tbody tr').count();
      assert.equal(rows, LONG_REASONS.length);
      for (const by of ['reason', 'ended_by']) {
        const fit = await page.locator(`[data-breakdown="${by}"] table`).evaluate((table) => {
          const card = table.closest('.card');
          return { table: table.scrollWidth, room: table.parentElement?.clientWidth ?? 0, card: (card?.scrollWidth ?? 0) - (card?.clientWidth ?? 0) };
        });
        assert.ok(fit.table <= fit.room && fit.card === 0, `${by} table: ${JSON.stringify(fit)}`);
      }
      assert.equal(await page.locator('html').evaluate((html) => html.scrollWidth), 1280);
      await page.screenshot({ path: screenshotPath('overview-1280-long-reasons'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when the range holds fewer than 20 calls and the previous period 3, then ratios are faded with their volume and no change is computed', async () => {
    const page = await openOverview(aFrom, aTo);
    try {
      assert.equal(await page.locator('[data-kpi="asr"]').textContent(), '16.7%'); // 1 answered of 6
      assert.match((await page.locator('[data-kpi="asr"]').getAttribute('class')) ?? '', /\bfew\b/);
      assert.equal(await page.locator('[data-volume="asr"]').textContent(), 'on 6 calls');
      assert.equal(await page.locator('[data-volume="drop_rate"]').textContent(), 'on 1 call');
      assert.equal(await page.locator('[data-volume="attempts"]').textContent(), '');
      for (const key of ['attempts', 'asr', 'acd_sec']) {
        assert.equal(await page.locator(`[data-change="${key}"]`).textContent(), 'too few calls in the previous period to compare', key);
      }
    } finally {
      await page.close();
    }
  });

  it('when an hour holds 2 calls and another 25, then the ASR chart draws the 25-call hour on the line and the 2-call hour as a faded dot; KPIs compare as usual', async () => {
    const page = await openOverview(bFrom, bTo);
    try {
      const chart = page.locator('[data-generation] .chart[data-few-call-buckets]');
      assert.equal(await chart.getAttribute('data-few-call-buckets'), '1');
      assert.equal(await chart.getAttribute('data-plain-buckets'), '1');
      assert.match(await page.locator('.panel', { hasText: 'ASR' }).first().textContent() ?? '', /ASR, under 20 calls/);
      assert.doesNotMatch((await page.locator('[data-kpi="asr"]').getAttribute('class')) ?? '', /\bfew\b/);
      assert.equal(await page.locator('[data-volume="asr"]').textContent(), '');
      assert.match((await page.locator('[data-change="attempts"]').textContent()) ?? '', / vs previous$/); // 27 against 30
    } finally {
      await page.close();
    }
  });

  it('when Export CSV is pressed, then a cell starting with = arrives with a leading quote, so a spreadsheet shows it as text', async () => {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    try {
      await page.goto(`${server.url}/#/calls?user=formula.user`);
      await page.waitForSelector('#view[data-loaded="true"]');
      assert.match((await page.locator('#view').textContent()) ?? '', /1 call on this page/);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Export CSV')]);
      const [header, row] = parseCsv(readFileSync(await download.path(), 'utf8'));
      assert.equal(row?.[header?.indexOf('app_svr_data') ?? -1], `'${FORMULA}`);
    } finally {
      await page.close();
    }
  });
});
