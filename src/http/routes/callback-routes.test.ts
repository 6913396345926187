import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SEED_EXAMPLE_QUERY, validCallbackQuery, validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

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
