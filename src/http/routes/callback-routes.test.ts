import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SEED_EXAMPLE_QUERY, validCallbackQuery, validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { countRows } from '../../../test/fixtures/raw-requests.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';
import { MAX_BODY_BYTES, MAX_QUERY_BYTES } from './callback-routes.js';

describe('GET /callbacks/call-event', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("when the seed's own example arrives, then answers 200 and the call reads back with typed values", async () => {
    const res = await t.app.inject({ method: 'GET', url: `/callbacks/call-event?${SEED_EXAMPLE_QUERY}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { result: 'accepted', sid: '6364e8b3-bdac-436e-9631-0bce2498ce0c' });
    const call = (await t.app.inject({ url: '/api/calls/6364e8b3-bdac-436e-9631-0bce2498ce0c' })).json();
    assert.equal(call.setup_time, 1582527420);
    assert.equal(call.call_end_reason, 1005);
    assert.equal(call.releaser, 'responder');
    assert.equal(call.stid, 'voip.next');
    assert.equal(call.disconnect_reason, null);
    assert.equal(call.conflicts, 0);
    assert.deepEqual(call.extra, {});
  });

  it('when the same sid arrives twice with the same content, then both answer 200 and one call is stored', async () => {
    const query = validCallbackQuery();
    const first = await t.app.inject({ url: `/callbacks/call-event?${query}` });
    const second = await t.app.inject({ url: `/callbacks/call-event?${query}` });
    assert.equal(first.json().result, 'accepted');
    assert.equal(second.statusCode, 200);
    assert.equal(second.json().result, 'duplicate');
  });

  it('when the same sid arrives with different content, then the first is kept and the conflict is counted', async () => {
    const values = validCallbackValues();
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    const res = await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams({ ...values, duration: '99' })}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().result, 'conflict');
    const call = (await t.app.inject({ url: `/api/calls/${values.sid}` })).json();
    assert.equal(call.duration, 120);
    assert.equal(call.conflicts, 1);
  });

  it('when the sid is 35 characters, then answers 400 naming sid and quarantines the request', async () => {
    const query = validCallbackQuery({ sid: '6364e8b3-bdac-436e-9631-0bce2498ce0' });
    const res = await t.app.inject({ url: `/callbacks/call-event?${query}` });
    assert.equal(res.statusCode, 400);
    const body = res.json();
    assert.equal(body.error.code, 'invalid_callback');
    assert.deepEqual(body.error.details.map((d: { field: string }) => d.field), ['sid']);
    const quarantine = (await t.app.inject({ url: '/api/quarantine?limit=5' })).json();
    assert.equal(quarantine.items.length, 1);
    assert.equal(quarantine.items[0].query, query);
  });

  it('when an unknown key arrives, then it is kept in extra and the callback is accepted', async () => {
    const values = validCallbackValues({ new_field: 'hello' });
    const res = await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    assert.equal(res.statusCode, 200);
    const call = (await t.app.inject({ url: `/api/calls/${values.sid}` })).json();
    assert.deepEqual(call.extra, { new_field: 'hello' });
  });

  it('when a JSON body carries the keys, then the POST is accepted like a GET', async () => {
    const values = validCallbackValues();
    const res = await t.app.inject({ method: 'POST', url: '/callbacks/call-event', payload: values });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().result, 'accepted');
  });

  it('when an unknown sid is read, then answers 404 with a JSON error', async () => {
    const res = await t.app.inject({ url: '/api/calls/6364e8b3-bdac-436e-9631-0bce2498ce0c' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'not_found');
  });
});

describe('the callback endpoint: methods and bodies', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('when a form body carries the keys, then the POST is accepted and the call reads back', async () => {
    const values = validCallbackValues({ rel_code_str: 'NO ANSWER' });
    const res = await t.app.inject({
      method: 'POST',
      url: '/callbacks/call-event',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      payload: new URLSearchParams(values).toString(),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().result, 'accepted');
    const call = (await t.app.inject({ url: `/api/calls/${values.sid}` })).json();
    assert.equal(call.rel_code_str, 'NO ANSWER');
  });

  it('when a JSON body carries numbers as JSON numbers, then they are read like query text', async () => {
    const values = validCallbackValues();
    const payload = { ...values, duration: 120, terminate: 16 };
    const res = await t.app.inject({ method: 'POST', url: '/callbacks/call-event', payload });
    assert.equal(res.statusCode, 200);
    assert.equal((await t.app.inject({ url: `/api/calls/${values.sid}` })).json().duration, 120);
  });

  it('when the JSON body is invalid, then answers 400 naming body and quarantines it with the body text', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/callbacks/call-event', headers: { 'content-type': 'application/json' }, payload: '{"sid": ',
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error.details, [{ field: 'body', problem: 'is not valid JSON' }]);
    const [entry] = (await t.app.inject({ url: '/api/quarantine' })).json().items;
    assert.equal(entry.body, '{"sid": ');
    assert.equal(entry.method, 'POST');
  });

  it('when the JSON body is an array or holds an object value, then answers 400 naming what is wrong', async () => {
    const array = await t.app.inject({ method: 'POST', url: '/callbacks/call-event', payload: [1, 2] });
    assert.deepEqual(array.json().error.details, [{ field: 'body', problem: 'must be a JSON object' }]);
    const nested = await t.app.inject({ method: 'POST', url: '/callbacks/call-event', payload: { ...validCallbackValues(), type: { v: 1 } } });
    assert.equal(nested.statusCode, 400);
    assert.deepEqual(nested.json().error.details, [{ field: 'type', problem: 'must be a string or a number' }]);
  });

  it('when the body has another content type, then answers 415 and quarantines it', async () => {
    const res = await t.app.inject({
      method: 'POST', url: '/callbacks/call-event', headers: { 'content-type': 'text/plain' }, payload: validCallbackQuery(),
    });
    assert.equal(res.statusCode, 415);
    assert.equal(res.json().error.code, 'unsupported_media_type');
    assert.equal((await t.app.inject({ url: '/api/quarantine' })).json().items.length, 1);
  });

  it('when the query and the body disagree on a key, then answers 400 naming that key', async () => {
    const values = validCallbackValues();
    const res = await t.app.inject({
      method: 'POST', url: `/callbacks/call-event?type=A`, payload: { ...values, type: 'V' },
    });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error.details, [{ field: 'type', problem: 'differs between the query and the body' }]);
  });

  it('when another method is used, then answers 405 with Allow and a JSON error and nothing is stored', async () => {
    const res = await t.app.inject({ method: 'PUT', url: `/callbacks/call-event?${validCallbackQuery()}` });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, POST');
    assert.equal(res.json().error.code, 'method_not_allowed');
    assert.equal(countRows(t.file, 'raw_requests'), 0);
  });

  it('when a HEAD probe arrives, then it is not recorded as a delivery', async () => {
    const res = await t.app.inject({ method: 'HEAD', url: `/callbacks/call-event?${validCallbackQuery()}` });
    assert.equal(res.statusCode, 405); // the path exists; HEAD is not served on it
    assert.equal(res.headers.allow, 'GET, POST');
    assert.equal(countRows(t.file, 'raw_requests'), 0);
  });
});

describe('the callback endpoint: refusals', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('when several fields are bad, then the 400 body names every one with its reason', async () => {
    const query = validCallbackQuery({ sid: 'nope', type: 'X', setup_time: '-1', srcip: '999.1.1.1', from_user_id: undefined });
    const res = await t.app.inject({ url: `/callbacks/call-event?${query}` });
    assert.equal(res.statusCode, 400);
    const { error } = res.json();
    assert.equal(error.code, 'invalid_callback');
    assert.deepEqual(error.details.map((d: { field: string }) => d.field), ['sid', 'from_user_id', 'type', 'setup_time', 'srcip']);
    for (const d of error.details) assert.ok(d.problem.length > 0);
    assert.match(error.message, /sid, from_user_id, type, setup_time, srcip/);
  });

  it('when a value has bad percent-encoding or invalid UTF-8, then answers 400 and quarantines the exact query', async () => {
    const query = `${validCallbackQuery({ rel_code_str: undefined })}&rel_code_str=%FF&x=%E0%A4`;
    const res = await t.app.inject({ url: `/callbacks/call-event?${query}` });
    assert.equal(res.statusCode, 400);
    const fields = res.json().error.details.map((d: { field: string }) => d.field);
    assert.deepEqual(fields, ['rel_code_str', 'x']); // each named once, for why it could not be read
    const [entry] = (await t.app.inject({ url: '/api/quarantine' })).json().items;
    assert.equal(entry.query, query);
  });

  it('when a key is repeated, then answers 400 naming it', async () => {
    const res = await t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}&type=A` });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().error.details, [{ field: 'type', problem: 'is given more than once' }]);
  });

  it('when a request is quarantined, then the entry holds method, path, exact query, source, time and reasons', async () => {
    const t2 = await createTestApp({}, { now: () => 1_750_000_000_123 });
    try {
      const query = validCallbackQuery({ terminate: 'x' });
      await t2.app.inject({ url: `/callbacks/call-event?${query}`, remoteAddress: '198.51.100.9' });
      const { items } = (await t2.app.inject({ url: '/api/quarantine?limit=1' })).json();
      assert.equal(items.length, 1);
      const [entry] = items;
      assert.equal(entry.method, 'GET');
      assert.equal(entry.path, '/callbacks/call-event');
      assert.equal(entry.query, query);
      assert.equal(entry.source_ip, '198.51.100.9');
      assert.equal(entry.received_at, '2025-06-15T15:06:40.123Z');
      assert.deepEqual(entry.reasons, [{ field: 'terminate', problem: 'must be an integer' }]);
    } finally {
      await t2.cleanup();
    }
  });

  it('when the query is over 16 KiB, then answers 414 and keeps it truncated in quarantine', async () => {
    const query = `${validCallbackQuery()}&pad=${'p'.repeat(MAX_QUERY_BYTES)}`;
    const res = await t.app.inject({ url: `/callbacks/call-event?${query}` });
    assert.equal(res.statusCode, 414);
    assert.equal(res.json().error.code, 'uri_too_long');
    assert.match(res.json().error.details[0].problem, /kept truncated/);
    const [entry] = (await t.app.inject({ url: '/api/quarantine' })).json().items;
    assert.equal(entry.query.length, MAX_QUERY_BYTES);
    assert.equal(entry.query, query.slice(0, MAX_QUERY_BYTES));
  });

  it('when the body is over 16 KiB, then answers 413 and the request is kept in quarantine', async () => {
    const payload = { ...validCallbackValues(), pad: 'p'.repeat(MAX_BODY_BYTES) };
    const res = await t.app.inject({ method: 'POST', url: '/callbacks/call-event?probe=1', payload });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'payload_too_large');
    const [entry] = (await t.app.inject({ url: '/api/quarantine' })).json().items;
    assert.equal(entry.query, 'probe=1');
    assert.deepEqual(entry.reasons, [{ field: 'body', problem: `is larger than ${MAX_BODY_BYTES} bytes` }]);
  });

  it('when a conflicting version arrives, then it is stored as a conflict and the call keeps the first', async () => {
    const values = validCallbackValues();
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams({ ...values, terminate: '17' })}` });
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams({ ...values, terminate: '17' })}` });
    assert.equal(countRows(t.file, 'calls'), 1);
    assert.equal(countRows(t.file, 'call_conflicts'), 1);
    const call = (await t.app.inject({ url: `/api/calls/${values.sid}` })).json();
    assert.equal(call.terminate, 16);
    assert.equal(call.conflicts, 1);
  });

  it('when the same content arrives with its keys in another order, then it is a duplicate', async () => {
    const values = validCallbackValues({ zz: '1', aa: '2' });
    const reversed = Object.fromEntries(Object.entries(values).reverse());
    await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(values)}` });
    const res = await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(reversed)}` });
    assert.equal(res.json().result, 'duplicate');
    assert.equal(countRows(t.file, 'call_conflicts'), 0);
  });
});

describe('the callback endpoint on a listening server', () => {
  it('when a request line is 40 KiB, then the server refuses it and keeps serving', async () => {
    const t = await createTestApp();
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as AddressInfo;
      const status = await rawRequestStatus(port, `/callbacks/call-event?${validCallbackQuery()}&pad=${'p'.repeat(40 * 1024)}`);
      assert.ok(status >= 400 && status < 500, `status ${status}`);
      const query = validCallbackQuery();
      const ok = await fetch(`http://127.0.0.1:${port}/callbacks/call-event?${query}`);
      assert.equal(ok.status, 200);
    } finally {
      await t.cleanup();
    }
  });
});

/** Sends one GET over a plain socket and returns the status code of the answer. */
function rawRequestStatus(port: number, target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match?.[1] === undefined) reject(new Error(`no HTTP answer: ${JSON.stringify(answer.slice(0, 100))}`));
      else resolve(Number(match[1]));
    });
  });
}
