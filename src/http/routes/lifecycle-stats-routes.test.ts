import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { validAgentCallStatusValues, validCallbackValues, validNotifyValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

/** 2026-01-05T00:00:00Z (a Monday), Unix seconds. */
const MONDAY = 1_767_571_200;
/** When the test app receives every callback: Monday 10:07:30 UTC. */
const NOW_MS = (MONDAY + 10 * 3600 + 450) * 1000;

describe('GET /api/stats/lifecycle*', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({}, { now: () => NOW_MS });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const send = async (path: string, values: Record<string, string>) =>
    (await t.app.inject({ url: `/callbacks/${path}?${new URLSearchParams(values)}` })).json().result as string;
  const problemsOf = async (url: string) => {
    const res = await t.app.inject({ url });
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as { error: { code: string; details: Array<{ field: string }> } };
    assert.equal(body.error.code, 'invalid_parameter');
    return body.error.details.map((d) => d.field);
  };

  it('when a Notify, its Call Event and a mixed-case Agent Call Status arrive, then the summary counts them with every figure', async () => {
    const notify = validNotifyValues();
    const setup = MONDAY + 10 * 3600 + 440;
    assert.equal(await send('notify', notify), 'accepted');
    assert.equal(await send('notify', { ...notify, param: 'b3RoZXI=' }), 'conflict');
    assert.equal(await send('call-event', validCallbackValues({ sid: notify.sid, setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 65), duration: '60', billing_sec: '60' })), 'accepted');
    assert.equal(await send('agent-call-status', validAgentCallStatusValues({ result: 'Success' })), 'accepted');
    assert.equal(await send('agent-call-status', validAgentCallStatusValues({ result: 'fail', fail_reason: 'NO_MEDIA' })), 'accepted');

    const res = await t.app.inject({ url: `/api/stats/lifecycle?from=${MONDAY}&to=${MONDAY + 86400}` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.from, '2026-01-05T00:00:00.000Z');
    assert.equal(body.notifies, 1);
    assert.equal(body.notifiesWithEnd, 1);
    assert.equal(body.endCoverage, 1);
    assert.equal(body.endsWithoutNotify, 0);
    assert.deepEqual(body.setupToNotifyMs, { p50: 10_000, p99: 10_000 });
    assert.deepEqual(body.relay, { attempts: 0, ok: 0, httpError: 0, timeout: 0, unreachable: 0, successRatio: null, latencyMs: { p50: null, p99: null } });
    assert.deepEqual(body.pushFailures, { total: 0, notifyNotReceived: 0, pushHandler: 0, other: 0 });
    assert.deepEqual(body.agentCallStatus, { success: 1, fail: 1, byFailReason: [{ failReason: 'NO_MEDIA', count: 1 }] });
    assert.match(res.headers['server-timing'] as string, /^stats;dur=[\d.]+;desc="rollups"$/);
  });

  it('when an hour series is asked in Asia/Kolkata, then buckets are local hours (half past in UTC) and the Notify counts in its own', async () => {
    await send('notify', validNotifyValues());
    const res = await t.app.inject({ url: `/api/stats/lifecycle/timeseries?bucket=hour&tz=Asia/Kolkata&from=${MONDAY + 9 * 3600}&to=${MONDAY + 12 * 3600}` });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.tz, 'Asia/Kolkata');
    assert.deepEqual(body.points.map((p: { start: string }) => p.start), [
      '2026-01-05T14:00:00+05:30', '2026-01-05T15:00:00+05:30', '2026-01-05T16:00:00+05:30', '2026-01-05T17:00:00+05:30',
    ]);
    // 10:07:30 UTC is 15:37:30 in Kolkata.
    assert.deepEqual(body.points.map((p: { notifies: number }) => p.notifies), [0, 1, 0, 0]);
    assert.deepEqual(Object.keys(body.points[0]).sort(), [
      'agentCallFail', 'agentCallSuccess', 'endMissing', 'notifies', 'notifiesWithEnd', 'pushFailures', 'relayAttempts', 'relayOk', 'start',
    ]);
  });

  it('when the bucket is unknown, then 400 names bucket', async () => {
    assert.deepEqual(await problemsOf('/api/stats/lifecycle/timeseries?bucket=year'), ['bucket']);
  });

  it('when the time zone is unknown, then 400 names tz on both endpoints', async () => {
    assert.deepEqual(await problemsOf('/api/stats/lifecycle/timeseries?tz=Mars/Olympus'), ['tz']);
    assert.deepEqual(await problemsOf('/api/stats/lifecycle?tz=Mars/Olympus'), ['tz']);
  });

  it('when from is not before to, then 400 names to; a bad time names its field', async () => {
    assert.deepEqual(await problemsOf(`/api/stats/lifecycle?from=${MONDAY}&to=${MONDAY}`), ['to']);
    assert.deepEqual(await problemsOf(`/api/stats/lifecycle/timeseries?from=${MONDAY + 60}&to=${MONDAY}`), ['to']);
    assert.deepEqual(await problemsOf('/api/stats/lifecycle?from=yesterday'), ['from']);
  });

  it('when a call filter or too many buckets are asked, then 400 names each problem at once', async () => {
    assert.deepEqual(await problemsOf('/api/stats/lifecycle?user=caller.1&tz=Nowhere&to=soon'), ['user', 'to', 'tz']);
    assert.deepEqual(await problemsOf(`/api/stats/lifecycle/timeseries?bucket=minute&from=${MONDAY - 30 * 86400}&to=${MONDAY}`), ['bucket']);
  });
});
