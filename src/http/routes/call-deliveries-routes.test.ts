import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

const TOKEN = 'deliveries-test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

describe('GET /api/calls/:sid/deliveries and /conflicts', () => {
  let t: TestApp;
  const values = validCallbackValues({ odd_key: 'kept' });
  const changed = { ...values, duration: '7', billing_sec: '7', odd_key: 'changed' };
  const queries = [new URLSearchParams(values).toString(), new URLSearchParams(values).toString(), new URLSearchParams(changed).toString()];

  before(async () => {
    t = await createTestApp({ API_TOKEN: TOKEN });
    for (const query of queries) {
      const response = await t.app.inject({ method: 'GET', url: `/callbacks/call-event?${query}` });
      assert.equal(response.statusCode, 200, response.body);
    }
  });
  after(() => t.cleanup());

  it('when a call was delivered, repeated and changed, then deliveries lists each request as received, oldest first', async () => {
    const response = await t.app.inject({ url: `/api/calls/${values.sid}/deliveries`, headers: auth });
    assert.equal(response.statusCode, 200);
    const { items } = response.json() as { items: Array<Record<string, unknown>> };
    assert.deepEqual(items.map((d) => d.result), ['accepted', 'duplicate', 'conflict']);
    assert.deepEqual(items.map((d) => d.query), queries);
    assert.ok(items.every((d) => d.method === 'GET' && d.path === '/callbacks/call-event' && d.body === null && typeof d.source_ip === 'string'));
    assert.match(String(items[0]?.received_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const call = (await t.app.inject({ url: `/api/calls/${values.sid}`, headers: auth })).json() as { raw_request_id: number };
    assert.equal(items[0]?.id, call.raw_request_id);
  });

  it('when the sid in the path is in upper case, then the call, its deliveries and its conflicts are found under the lower-case sid', async () => {
    const upper = (values.sid ?? '').toUpperCase();
    const call = await t.app.inject({ url: `/api/calls/${upper}`, headers: auth });
    assert.equal(call.statusCode, 200);
    assert.equal((call.json() as { sid: string }).sid, values.sid);
    const deliveries = (await t.app.inject({ url: `/api/calls/${upper}/deliveries`, headers: auth })).json() as { items: unknown[] };
    assert.equal(deliveries.items.length, 3);
    const conflicts = (await t.app.inject({ url: `/api/calls/${upper}/conflicts`, headers: auth })).json() as { items: unknown[] };
    assert.equal(conflicts.items.length, 1);
  });

  it('when a conflicting version arrived, then conflicts shows it parsed, with the fields that differ', async () => {
    const response = await t.app.inject({ url: `/api/calls/${values.sid}/conflicts`, headers: auth });
    assert.equal(response.statusCode, 200);
    const { items } = response.json() as { items: Array<{ differs: string[]; event: Record<string, unknown>; raw_request_id: number; received_at: string }> };
    assert.equal(items.length, 1);
    assert.deepEqual(items[0]?.differs, ['duration', 'billing_sec', 'odd_key']);
    assert.equal(items[0]?.event.duration, 7);
    assert.equal(items[0]?.event.sid, values.sid);
    assert.deepEqual(items[0]?.event.extra, { odd_key: 'changed' });
    assert.equal(typeof items[0]?.received_at, 'string');
  });

  for (const part of ['deliveries', 'conflicts']) {
    it(`when the sid is unknown, then ${part} answers 404 not_found as JSON`, async () => {
      const response = await t.app.inject({ url: `/api/calls/00000000-0000-0000-0000-000000000000/${part}`, headers: auth });
      assert.equal(response.statusCode, 404);
      const body = response.json() as { error: { code: string; message: string; details: unknown[] } };
      assert.equal(body.error.code, 'not_found');
      assert.match(body.error.message, /No call with sid/);
    });

    it(`when the API token is missing, then ${part} answers 401`, async () => {
      const response = await t.app.inject({ url: `/api/calls/${values.sid}/${part}` });
      assert.equal(response.statusCode, 401);
    });
  }

  it('when a call has no conflicting version, then conflicts is an empty list', async () => {
    const other = validCallbackValues();
    assert.equal((await t.app.inject({ url: `/callbacks/call-event?${new URLSearchParams(other).toString()}` })).statusCode, 200);
    const response = await t.app.inject({ url: `/api/calls/${other.sid}/conflicts`, headers: auth });
    assert.deepEqual(response.json(), { items: [] });
  });
});
