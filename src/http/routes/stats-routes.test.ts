import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FIGURE_KEYS } from '../../domain/stats/figures.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

/** 2026-01-05T00:00:00Z (a Monday), Unix seconds. */
const MONDAY = 1_767_571_200;

describe('GET /api/stats/*', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({}, { now: () => (MONDAY + 10 * 86400) * 1000 });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const send = async (values: Record<string, string>) =>
    (await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` })).json().result as string;

  const call = (setup: number, overrides: Record<string, string | undefined> = {}) =>
    validCallbackValues({
      setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 65), duration: '60', billing_sec: '60', ...overrides,
    });

  it('when calls, a duplicate and a conflict arrive, then the summary counts each sid once with every figure key', async () => {
    const first = call(MONDAY + 100);
    assert.equal(await send(first), 'accepted');
    assert.equal(await send(first), 'duplicate');
    assert.equal(await send({ ...first, duration: '5' }), 'conflict');
    await send(call(MONDAY + 200, { start_time: '0', end_time: String(MONDAY + 230), duration: '0', billing_sec: '0', terminate: '17', disconnect_reason: '1202' }));
    const res = await t.app.inject({ url: `/api/stats/summary?from=${MONDAY}&to=${MONDAY + 86400}` });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.from, MONDAY);
    assert.deepEqual(Object.keys(body.summary).sort(), [...FIGURE_KEYS].sort());
    assert.equal(body.summary.attempts, 2);
    assert.equal(body.summary.busy, 1);
    assert.equal(body.summary.asr, 0.5);
    assert.equal(body.summary.acd_sec, 60);
    assert.equal(body.summary.total_duration_sec, 60);
    assert.match(res.headers['server-timing'] as string, /^stats;dur=[\d.]+;desc="rollups"$/);
  });

  it('when a day series is asked in Asia/Tokyo, then every local day is present, empty ones with zeros and nulls', async () => {
    await send(call(MONDAY + 3600)); // 2026-01-05 10:00 in Tokyo
    const from = MONDAY - 9 * 3600; // 2026-01-05T00:00+09:00
    const res = await t.app.inject({ url: `/api/stats/timeseries?bucket=day&tz=Asia/Tokyo&from=${from}&to=${from + 3 * 86400}` });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.bucket, 'day');
    assert.equal(body.tz, 'Asia/Tokyo');
    assert.deepEqual(body.items.map((i: { bucket_start_iso: string }) => i.bucket_start_iso), [
      '2026-01-05T00:00:00+09:00', '2026-01-06T00:00:00+09:00', '2026-01-07T00:00:00+09:00',
    ]);
    assert.deepEqual(body.items.map((i: { attempts: number }) => i.attempts), [1, 0, 0]);
    assert.equal(body.items[1].asr, null);
    assert.equal(body.items[1].duration_p50_sec, null);
    assert.equal(body.items[0].bucket_start, from);
  });

  it('when no window is given, then the time series covers the last 24 hours in hour buckets', async () => {
    const res = await t.app.inject({ url: '/api/stats/timeseries' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().items.length, 24);
  });

  it('when a breakdown by reason is asked, then values come largest first', async () => {
    await send(call(MONDAY + 10));
    await send(call(MONDAY + 20));
    await send(call(MONDAY + 30, { start_time: '0', duration: '0', billing_sec: '0', terminate: '77', disconnect_reason: '1201' }));
    const res = await t.app.inject({ url: '/api/stats/breakdown?by=reason&limit=5' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.by, 'reason');
    assert.deepEqual(body.items.map((i: { value: string; attempts: number }) => [i.value, i.attempts]), [['NORMAL', 2], ['CANCEL', 1]]);
  });

  it('when a breakdown by terminate is asked, then values are numbers', async () => {
    await send(call(MONDAY + 10));
    const body = (await t.app.inject({ url: '/api/stats/breakdown?by=terminate' })).json();
    assert.equal(body.items[0].value, 16);
  });

  it('when parameters are bad, then answers 400 invalid_parameter naming each field', async () => {
    const res = await t.app.inject({ url: '/api/stats/timeseries?bucket=year&tz=Mars/Base&from=yesterday' });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error.code, 'invalid_parameter');
    assert.deepEqual(body.error.details.map((d: { field: string }) => d.field).sort(), ['bucket', 'from', 'tz']);
    const missing = await t.app.inject({ url: '/api/stats/breakdown' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().error.details[0].field, 'by');
  });

  it('when the summary or a breakdown is asked with a tz, then the answer is the one without it, and a bad tz is still a 400', async () => {
    await send(call(MONDAY + 3600));
    await send(call(MONDAY + 23 * 3600, { start_time: '0', end_time: String(MONDAY + 23 * 3600 + 30), duration: '0', billing_sec: '0', terminate: '17', disconnect_reason: '1202' }));
    const window = `from=${MONDAY}&to=${MONDAY + 86400}`;
    for (const path of ['summary?', 'breakdown?by=outcome&']) {
      const plain = await t.app.inject({ url: `/api/stats/${path}${window}` });
      const tokyo = await t.app.inject({ url: `/api/stats/${path}${window}&tz=Asia/Tokyo` });
      assert.equal(tokyo.statusCode, 200, path);
      assert.deepEqual(tokyo.json(), plain.json(), path);
      const bad = await t.app.inject({ url: `/api/stats/${path}${window}&tz=Mars/Base` });
      assert.equal(bad.statusCode, 400, path);
      assert.equal(bad.json().error.details[0].field, 'tz', path);
    }
    assert.equal((await t.app.inject({ url: `/api/stats/summary?${window}` })).json().summary.attempts, 2);
  });

  it('when exact=true is given, then each endpoint scans the calls and says so in Server-Timing; exact=yes is a 400', async () => {
    await send(call(MONDAY + 3600));
    const window = `from=${MONDAY}&to=${MONDAY + 86400}`;
    for (const path of ['summary?', 'timeseries?bucket=day&', 'breakdown?by=outcome&']) {
      const rollups = await t.app.inject({ url: `/api/stats/${path}${window}` });
      const exact = await t.app.inject({ url: `/api/stats/${path}${window}&exact=true` });
      assert.equal(exact.statusCode, 200, path);
      assert.match(rollups.headers['server-timing'] as string, /^stats;dur=\d+\.\d;desc="rollups"$/, path);
      assert.match(exact.headers['server-timing'] as string, /^stats;dur=\d+\.\d;desc="calls"$/, path);
      assert.deepEqual(exact.json(), rollups.json(), path);
      const bad = await t.app.inject({ url: `/api/stats/${path}${window}&exact=yes` });
      assert.equal(bad.statusCode, 400, path);
      assert.equal(bad.json().error.details[0].field, 'exact', path);
      assert.equal(bad.headers['server-timing'], undefined, path);
    }
  });

  it('when a minute series would have too many buckets, then answers 400 on bucket', async () => {
    const res = await t.app.inject({ url: `/api/stats/timeseries?bucket=minute&from=${MONDAY}&to=${MONDAY + 60 * 86400}` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.details[0].field, 'bucket');
  });
});

describe('GET /api/stats/* with an API token', () => {
  it('when no token is presented, then statistics and /metrics answer 401; with it, 200', async () => {
    const token = 'a-long-enough-api-token';
    const t = await createTestApp({ API_TOKEN: token });
    try {
      for (const url of ['/api/stats/summary', '/metrics']) {
        assert.equal((await t.app.inject({ url })).statusCode, 401, url);
        assert.equal((await t.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).statusCode, 200, url);
      }
    } finally {
      await t.cleanup();
    }
  });
});
