import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { groupCallValuesOf, legacyGroupCallValuesOf, validGroupCallEvent, validGroupCallValues } from '../../../test/fixtures/group-call-fixture.js';
import { readRawRequests } from '../../../test/fixtures/raw-requests.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

const CLOCK = { now: 1_700_000_010_000, deadlineMs: 3_600_000 };

describe('GET|POST /callbacks/group-call-event', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('when an event arrives by GET, then answers 200 accepted after storing it, and its room session reads back', async () => {
    const event = validGroupCallEvent({ sc: 'S' });
    const res = await t.app.inject({ url: `/callbacks/group-call-event?${new URLSearchParams(groupCallValuesOf(event))}` });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { result: 'accepted', sid: event.sid });
    const call = await t.store.getGroupCall(event.sid, CLOCK);
    assert.equal(call?.stays[0]?.user_id, 'alice');
    assert.equal(call?.state, 'in_progress');
  });

  it('when the same event comes again by POST as JSON in the 2020 shape, then answers 200 duplicate', async () => {
    const event = validGroupCallEvent();
    await t.app.inject({ url: `/callbacks/group-call-event?${new URLSearchParams(groupCallValuesOf(event))}` });
    const res = await t.app.inject({
      method: 'POST', url: '/callbacks/group-call-event', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(legacyGroupCallValuesOf(event, 500)),
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().result, 'duplicate');
  });

  it('when several fields are bad, then answers 400 naming each one, and the request is quarantined and kept raw', async () => {
    const query = new URLSearchParams(validGroupCallValues({ sc: 'X', ts: '12', ue_type: 'bad type', sid: 'nope' })).toString();
    const res = await t.app.inject({ url: `/callbacks/group-call-event?${query}` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_callback');
    assert.deepEqual(res.json().error.details.map((d: { field: string }) => d.field).sort(), ['sc', 'sid', 'ts', 'ue_type']);
    const [entry] = await t.store.listQuarantine({ limit: 1 });
    assert.equal(entry?.query, query);
    assert.deepEqual(readRawRequests(t.file).map((r) => r.result), ['quarantined']);
  });
});

describe('the group callback under the secret path', () => {
  it('when CALLBACK_SECRET is set, then only /callbacks/<secret>/group-call-event records, and the raw path hides the secret', async () => {
    const t = await createTestApp({ CALLBACK_SECRET: 's3cret-s3cret-s3cret' });
    try {
      const query = new URLSearchParams(validGroupCallValues()).toString();
      assert.equal((await t.app.inject({ url: `/callbacks/group-call-event?${query}` })).statusCode, 404);
      const res = await t.app.inject({ url: `/callbacks/s3cret-s3cret-s3cret/group-call-event?${query}` });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(readRawRequests(t.file).map((r) => r.path), ['/callbacks/[secret]/group-call-event']);
    } finally {
      await t.cleanup();
    }
  });
});
