import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { apiJson, browserUnavailable, hasRoute, launchBrowser, screenshotPath, startTestServer } from './browser-fixture.js';

const unavailable = browserUnavailable();
const required = process.env.REQUIRE_BROWSER === '1';
/** Longest wait for something to appear on a page, in milliseconds (not a timing assertion). */
const WAIT_MS = 15_000;

/**
 * A query string as a proxy or SDK might spell it: keys out of the spec's order, spaces as
 * %20, a lowercase escape. Rebuilding it from the stored fields would give another string.
 */
function handWrittenQuery(values: Record<string, string>): string {
  const { sid, app_svr_data: _ignored, ...rest } = values;
  const tail = Object.entries(rest).reverse().map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `app_svr_data=room%20one%2cseat%3D2&${tail}&sid=${sid}`;
}

describe('call page: the raw callback, its deliveries and conflicting versions (headless chromium)', { skip: unavailable !== null && !required ? unavailable : false }, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const values = validCallbackValues({ app_svr_data: 'room one,seat=2', odd_key: 'kept' });
  const firstQuery = handWrittenQuery(values);
  const conflicting = { ...values, duration: '7', billing_sec: '7', end_time: String(Number(values.start_time) + 7), odd_key: 'changed' };
  const pageErrors: string[] = [];

  const send = async (query: string) => {
    const response = await fetch(`${server.url}/callbacks/call-event?${query}`);
    return { status: response.status, body: (await response.json()) as { result?: string } };
  };

  before(async () => {
    assert.equal(unavailable, null, unavailable ?? ''); // REQUIRE_BROWSER=1: a missing chromium fails
    server = await startTestServer();
    assert.deepEqual((await send(firstQuery)).body.result, 'accepted');
    assert.deepEqual((await send(new URLSearchParams(values).toString())).body.result, 'duplicate');
    assert.deepEqual((await send(new URLSearchParams(conflicting).toString())).body.result, 'conflict');
    browser = await launchBrowser();
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function openCall(sid: string, options: { dark?: boolean } = {}): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.setDefaultTimeout(WAIT_MS);
    if (options.dark) await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${server.url}/#/calls/${sid}`);
    await page.waitForSelector('#view[data-loaded="true"]');
    return page;
  }

  it('when a call had a duplicate and a conflicting version, then its page shows the exact raw query, all three deliveries and the version', async () => {
    assert.ok(await hasRoute(server.url, `/api/calls/${values.sid}/deliveries`), 'the deliveries endpoint is served');
    const page = await openCall(values.sid ?? '');
    try {
      assert.equal(await page.locator('[data-testid="callback-query"]').textContent(), firstQuery);
      const deliveries = await apiJson<{ items: Array<{ id: number; result: string; source_ip: string }> }>(server.url, `/api/calls/${values.sid}/deliveries`);
      const rows = page.locator('[data-testid="deliveries"] tbody tr');
      assert.deepEqual(await rows.evaluateAll((r) => r.map((row) => row.getAttribute('data-result'))), ['accepted', 'duplicate', 'conflict']);
      assert.deepEqual(await rows.evaluateAll((r) => r.map((row) => Number(row.getAttribute('data-id')))), deliveries.items.map((d) => d.id));
      assert.deepEqual(await page.locator('[data-testid="deliveries"] [data-col="source"]').allTextContents(), deliveries.items.map((d) => d.source_ip));

      const conflicts = await apiJson<{ items: Array<{ id: number; differs: string[] }> }>(server.url, `/api/calls/${values.sid}/conflicts`);
      assert.deepEqual(conflicts.items.map((c) => c.differs), [['end_time', 'duration', 'billing_sec', 'odd_key']]);
      const versions = page.locator('[data-testid="conflict"]');
      assert.equal(await versions.count(), 1);
      const highlighted = await versions.first().locator('tr[data-differs="true"]').evaluateAll((r) => r.map((row) => row.getAttribute('data-field')));
      assert.deepEqual(highlighted, conflicts.items[0]?.differs);
      assert.equal(await versions.first().locator('tr[data-differs="true"] mark').count(), 3 * highlighted.length, 'field, stored and new value marked');
      assert.deepEqual(await versions.first().locator('tr[data-field="duration"] td').allTextContents(), ['120', '7']);
      assert.deepEqual(await versions.first().locator('tr[data-field="odd_key"] td').allTextContents(), ['kept', 'changed']);
      assert.equal(await versions.first().locator('tr[data-field="from_user_id"] mark').count(), 0, 'equal fields are not highlighted');
      await page.screenshot({ path: screenshotPath('call-deliveries-light'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when a call arrived once, then its page lists one delivery and says there is no conflicting version', async () => {
    const single = validCallbackValues();
    assert.equal((await send(new URLSearchParams(single).toString())).body.result, 'accepted');
    const page = await openCall(single.sid ?? '', { dark: true });
    try {
      assert.equal(await page.locator('[data-testid="callback-query"]').textContent(), new URLSearchParams(single).toString());
      assert.equal(await page.locator('[data-testid="deliveries"] tbody tr').count(), 1);
      assert.equal(await page.locator('[data-testid="conflict"]').count(), 0);
      assert.equal(await page.locator('[data-testid="no-conflicts"]').count(), 1);
      await page.screenshot({ path: screenshotPath('call-deliveries-dark'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('when the pages above were used, then none raised a script error or a console error', () => {
    assert.deepEqual(pageErrors, []);
  });
});
