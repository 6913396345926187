import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

const TOKEN = 'replay-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe('POST /api/quarantine/replay', () => {
  let t: TestApp;
  const values = validCallbackValues();
  beforeEach(async () => {
    t = await createTestApp({ API_TOKEN: TOKEN }, { now: () => 1_760_000_000_000 });
    // A valid delivery kept in quarantine, as an older version that did not know a value would have kept it.
    await t.store.recordCallbacks([{
      raw: { receivedAt: 1_750_000_000_000, method: 'GET', path: '/callbacks/call-event', query: new URLSearchParams(values).toString(), body: null, contentType: null, sourceIp: '203.0.113.9' },
      kind: 'malformed',
      problems: [{ field: 'disconnect_reason', problem: 'is not a known code (an older version)' }],
      sid: values.sid ?? null,
    }]);
    await t.app.inject({ url: '/callbacks/call-event?sid=still-bad' });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const replay = (payload: unknown, headers: Record<string, string> = AUTH) => t.app.inject({ method: 'POST', url: '/api/quarantine/replay', headers, payload: payload as object });

  it('when the token is missing, then it answers 401 and replays nothing', async () => {
    const res = await replay({}, {});
    assert.equal(res.statusCode, 401);
    assert.equal((await t.store.listQuarantine({ limit: 10 })).length, 2);
  });

  it('when it is a dry run, then it says which entry would become a call and which stays, and writes nothing', async () => {
    const res = await replay({ dry_run: true });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.dry_run, true);
    assert.deepEqual(body.counts, { accepted: 1, duplicate: 0, conflict: 0, quarantined: 1 });
    assert.deepEqual(body.entries.map((e: { result: string }) => e.result), ['accepted', 'quarantined']);
    assert.equal(body.entries[0].received_at, '2025-06-15T15:06:40.000Z');
    assert.equal((await t.store.listQuarantine({ limit: 10 })).length, 2);
    assert.equal((await t.app.inject({ url: `/api/calls/${values.sid}`, headers: AUTH })).statusCode, 404);
  });

  it('when it runs, then the entry that now parses is a call received at its original time, and the other stays', async () => {
    const res = await replay({ since: '2025-01-01' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().counts, { accepted: 1, duplicate: 0, conflict: 0, quarantined: 1 });
    const call = await t.app.inject({ url: `/api/calls/${values.sid}`, headers: AUTH });
    assert.equal(call.statusCode, 200);
    assert.equal(call.json().received_at, '2025-06-15T15:06:40.000Z');
    const left = (await t.app.inject({ url: '/api/quarantine', headers: AUTH })).json().items;
    assert.deepEqual(left.map((q: { query: string }) => q.query), ['sid=still-bad']);
  });

  it('when the options are wrong, then it answers 400 naming each', async () => {
    const res = await replay({ ids: ['x'], since: 'yesterday', limit: 3 });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error.details.map((d: { field: string }) => d.field).sort(), ['ids', 'limit', 'since']);
    assert.equal((await t.store.listQuarantine({ limit: 10 })).length, 2);
  });
});
