import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { type RelayTarget, startRelayTarget } from '../fixtures/relay-target.js';
import { apiJson, browserUnavailable, deliver, launchBrowser, screenshotPath, startTestServer } from './browser-fixture.js';

const unavailable = browserUnavailable();
const required = process.env.REQUIRE_BROWSER === '1';
/** Longest wait for something to appear, in milliseconds (not a timing assertion). */
const WAIT_MS = 15_000;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('relay page: dead letters and their retry (headless chromium)', { skip: unavailable !== null && !required ? unavailable : false }, () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let target: RelayTarget;
  let healthy = false;
  const values = validCallbackValues();

  before(async () => {
    assert.equal(unavailable, null, unavailable ?? '');
    target = await startRelayTarget(() => (healthy ? 200 : 500));
    server = await startTestServer({ CALL_EVENT_RELAY_URL: `${target.url}/cb`, RELAY_MAX_ATTEMPTS: '1' });
    assert.equal(await deliver(server.url, values), 200);
    await until(() => apiJson<{ dead: number }>(server.url, '/api/relay/status'), (s) => s.dead === 1);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await target?.close();
  });

  it('when a delivery is a dead letter, then the relay page lists it with its error, and its Retry button delivers it', async () => {
    const page = await browser.context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${server.url}/#/relay`);
    await page.waitForSelector('#view[data-loaded="true"]');
    const card = page.locator('.dead-letters article.entry');
    assert.equal(await card.count(), 1);
    assert.match((await card.textContent()) ?? '', new RegExp(values.sid ?? ''));
    assert.equal(await card.locator('.last-error').textContent(), 'HTTP 500');
    assert.equal(await page.locator('[data-figure="dead"] strong').textContent(), '1');
    await page.screenshot({ path: screenshotPath('relay-dead-letters'), fullPage: true });

    healthy = true;
    await card.locator('button.retry').click();
    await page.waitForSelector('.relay-notice:has-text("1 dead letter back in line")');
    const status = await until(() => apiJson<{ dead: number; delivered: number }>(server.url, '/api/relay/status'), (s) => s.delivered === 1);
    assert.equal(status.dead, 0);
    assert.equal(target.received.at(-1)?.url, `/cb?${new URLSearchParams(values)}`);
    assert.deepEqual(pageErrors, []);
  });
});
