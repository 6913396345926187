import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { keyedDeliveryOf } from '../contract/call-life-contract.js';
import { validAgentCallStatusValues, validCallbackValues, validNotifyValues } from '../fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { browserUnavailable, launchBrowser, startTestServer } from './browser-fixture.js';

const unavailable = browserUnavailable();
const required = process.env.REQUIRE_BROWSER === '1';
/** Longest wait for something to appear on a page, in milliseconds (not a timing assertion). */
const WAIT_MS = 15_000;
const THREE_HOURS_MS = 3 * 3_600_000;

describe('call page and missing ends: a call\'s life across callbacks (headless chromium)', { skip: unavailable !== null && !required ? unavailable : false }, () => {
  const db = tempDatabaseFile();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  const ringing = validNotifyValues();
  const lost = validNotifyValues();
  const pushFailed = validCallbackValues({ start_time: '0', duration: '0', billing_sec: '0', terminate: '127', disconnect_reason: '1302' });
  const pageErrors: string[] = [];

  before(async () => {
    assert.equal(unavailable, null, unavailable ?? '');
    // A Notify three hours old, written before the server starts: its Call Event is overdue.
    const store = createSqliteStore(db.file);
    await store.recordCallbacks([keyedDeliveryOf('notify', lost, Date.now() - THREE_HOURS_MS)]);
    await store.close();
    server = await startTestServer({ DATABASE_URL: db.file });
    assert.equal((await fetch(`${server.url}/callbacks/notify?${new URLSearchParams(ringing)}`)).status, 200);
    assert.equal((await fetch(`${server.url}/callbacks/call-event?${new URLSearchParams(pushFailed)}`)).status, 200);
    const failedAgentCall = validAgentCallStatusValues({ result: 'Fail', fail_reason: 'NO_MEDIA' });
    assert.equal((await fetch(`${server.url}/callbacks/agent-call-status?${new URLSearchParams(failedAgentCall)}`)).status, 200);
    browser = await launchBrowser();
    context = browser.context;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    db.cleanup();
  });

  async function open(hash: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${server.url}/${hash}`);
    await page.waitForSelector('#view[data-loaded="true"]');
    return page;
  }

  it('when a call was notified and has not ended, then its page shows it in progress with the Notify in its timeline', async () => {
    const page = await open(`#/calls/${ringing.sid}`);
    assert.equal(await page.getAttribute('[data-testid="lifecycle-state"]', 'data-state'), 'in_progress');
    assert.match(await page.textContent('[data-testid="life-timeline"]') ?? '', /Notify received \(accepted\)/);
    assert.deepEqual(pageErrors, []);
  });

  it('when a call ended with PUSH_ERROR and no Notify came, then its page says LINE Planet could not reach you', async () => {
    const page = await open(`#/calls/${pushFailed.sid}`);
    assert.equal(await page.getAttribute('[data-testid="push-diagnosis"]', 'data-verdict'), 'notify_not_received');
    assert.match(await page.textContent('[data-testid="explanation"]') ?? '', /\S/);
  });

  it('when a notified call is past the deadline, then the missing ends page lists it and links to its call page', async () => {
    const page = await open('#/lifecycle');
    const rows = await page.$$eval('[data-testid="end-missing"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-sid')));
    assert.deepEqual(rows, [lost.sid]);
    await page.click(`[data-sid="${lost.sid}"] a`);
    await page.waitForSelector('[data-testid="lifecycle-state"][data-state="end_missing"]');
    assert.deepEqual(pageErrors, []);
  });

  it('when notifies and a failed Agent Call Status were stored, then the lifecycle panel shows their counts and the fail reason', async () => {
    const page = await open('#/lifecycle');
    await page.waitForSelector('[data-testid="lifecycle-stats"][data-loaded="true"]');
    // The two notifies of the last 24 hours: the overdue one and the ringing one.
    assert.equal(await page.textContent('[data-lifecycle-kpi="notifies"]'), '2');
    assert.equal(await page.textContent('[data-lifecycle-kpi="endCoverage"]'), '0.0%');
    assert.equal(await page.textContent('[data-lifecycle-kpi="agentCalls"]'), '0 / 1');
    assert.match(await page.textContent('[data-testid="lifecycle-details"]') ?? '', /NO_MEDIA: 1/);
    assert.deepEqual(pageErrors, []);
  });
});
