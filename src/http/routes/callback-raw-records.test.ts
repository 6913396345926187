import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { readRawRequests } from '../../../test/fixtures/raw-requests.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';
import { MAX_BODY_BYTES, MAX_QUERY_BYTES } from './callback-routes.js';

describe('raw records: every delivery leaves one', () => {
  let t: TestApp;
  let clock: number;
  beforeEach(async () => {
    clock = 1_760_000_000_000;
    t = await createTestApp({}, { now: () => (clock += 1000) });
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('when deliveries are accepted, duplicate, conflicting and malformed, then each is kept with its exact query, time and source', async () => {
    const values = validCallbackValues();
    // Hand-written queries: percent-encoding exactly as sent, which a rebuilt URLSearchParams would change.
    const first = `${new URLSearchParams(values)}&note=a%20b+c`;
    const conflict = `${new URLSearchParams({ ...values, duration: '7' })}&note=a%20b+c`;
    const malformed = 'sid=broken&type=%FF';
    const sent = [
      { query: first, from: '203.0.113.1', status: 200 },
      { query: first, from: '203.0.113.2', status: 200 },
      { query: conflict, from: '2001:db8::7', status: 200 },
      { query: malformed, from: '203.0.113.4', status: 400 },
    ];
    for (const s of sent) {
      const res = await t.app.inject({ url: `/callbacks/call-event?${s.query}`, remoteAddress: s.from });
      assert.equal(res.statusCode, s.status);
    }
    const rows = readRawRequests(t.file);
    assert.deepEqual(
      rows.map((r) => [r.result, r.query, r.source_ip, r.received_at, r.method, r.path, r.sid]),
      [
        ['accepted', first, '203.0.113.1', 1_760_000_001_000, 'GET', '/callbacks/call-event', values.sid],
        ['duplicate', first, '203.0.113.2', 1_760_000_002_000, 'GET', '/callbacks/call-event', values.sid],
        ['conflict', conflict, '2001:db8::7', 1_760_000_003_000, 'GET', '/callbacks/call-event', values.sid],
        ['quarantined', malformed, '203.0.113.4', 1_760_000_004_000, 'GET', '/callbacks/call-event', 'broken'],
      ],
    );
  });

  it('when a POST is accepted, then its raw record keeps the body and content type', async () => {
    const body = new URLSearchParams(validCallbackValues()).toString();
    const res = await t.app.inject({
      method: 'POST', url: '/callbacks/call-event?via=proxy', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body,
    });
    assert.equal(res.statusCode, 200);
    const [row] = readRawRequests(t.file);
    assert.equal(row?.method, 'POST');
    assert.equal(row?.query, 'via=proxy');
    assert.equal(row?.body, body);
    assert.equal(row?.content_type, 'application/x-www-form-urlencoded');
  });

  it('when the query is oversized or the body too large, then a raw record is still kept, with the refusal its cut text cannot give again', async () => {
    await t.app.inject({ url: `/callbacks/call-event?pad=${'p'.repeat(MAX_QUERY_BYTES + 1)}` });
    await t.app.inject({ method: 'POST', url: '/callbacks/call-event', payload: { pad: 'p'.repeat(20_000) } });
    const rows = readRawRequests(t.file);
    assert.deepEqual(rows.map((r) => [r.result, r.method, r.query.length, r.unread_reasons]), [
      ['quarantined', 'GET', MAX_QUERY_BYTES, `[{"field":"query","problem":"is ${MAX_QUERY_BYTES + 5} bytes, more than ${MAX_QUERY_BYTES} (kept truncated)"}]`],
      ['quarantined', 'POST', 0, `[{"field":"body","problem":"is larger than ${MAX_BODY_BYTES} bytes"}]`],
    ]);
  });

  it('when a callback is answered 200, then its raw record and call are already readable by another connection', async () => {
    const values = validCallbackValues();
    const res = await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    assert.equal(res.statusCode, 200);
    assert.equal(readRawRequests(t.file).length, 1);
  });
});
