import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';

const T0 = 1_700_000_000_000;

describe('GET /api/group-calls and /api/group-calls/:sid', () => {
  let t: TestApp;
  let clock = T0 + 60_000;
  beforeEach(async () => {
    clock = T0 + 60_000;
    t = await createTestApp({ API_TOKEN: 'token-token-token-token', GROUP_END_DEADLINE: '1h' }, { now: () => clock });
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const auth = { authorization: 'Bearer token-token-token-token' };
  const deliver = (event: ReturnType<typeof validGroupCallEvent>) => t.app.inject({ url: `/callbacks/group-call-event?${new URLSearchParams(groupCallValuesOf(event))}` });

  it('when a room has events, then the list shows its session and the sid its stays, every field serialised', async () => {
    const sid = newGroupSid();
    await deliver(validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'host', ts: T0 }));
    await deliver(validGroupCallEvent({ sid, sc: 'C', msc: 'M', user_id: 'host', ts: T0 + 500, media_type: 'A' }));
    await deliver(validGroupCallEvent({ sid, sc: 'C', msc: 'D', user_id: 'guest', ts: T0 + 1_000, disconnect_reason: 1401, releaser_type: 4, display_name: 'Gus' }));
    const list = await t.app.inject({ url: '/api/group-calls?stay_status=failed_to_join', headers: auth });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().items.map((c: { sid: string }) => c.sid), [sid]);
    assert.equal(list.json().next_cursor, null);
    const stored = await t.store.getGroupCall(sid, { now: clock, deadlineMs: 3_600_000 });
    const { stays, ...summary } = stored ?? { stays: [] };
    const stayCounts = { completed: 0, dropped: 0, timed_out: 0, kicked: 0, replaced: 0, failed_to_join: 1, in_room: 1 };
    assert.deepEqual(list.json().items[0], { ...summary, stay_counts: stayCounts });
    const one = await t.app.inject({ url: `/api/group-calls/${sid.toUpperCase()}`, headers: auth });
    assert.equal(one.statusCode, 200);
    assert.deepEqual(one.json(), { ...summary, stays });
    assert.deepEqual(one.json().stays.map((s: { status: string }) => s.status).sort(), ['failed_to_join', 'in_room']);
    assert.deepEqual(one.json().stays.find((s: { user_id: string }) => s.user_id === 'host').media_changes, [{ ts: T0 + 500, media_type: 'A' }]);
  });

  it('when GROUP_END_DEADLINE passes after the last event, then the session reads end_missing', async () => {
    const sid = newGroupSid();
    await deliver(validGroupCallEvent({ sid, sc: 'S', ts: T0 }));
    clock = T0 + 3_600_001;
    const one = await t.app.inject({ url: `/api/group-calls/${sid}`, headers: auth });
    assert.equal(one.json().state, 'end_missing');
    assert.equal(one.json().end_due_at, T0 + 3_600_000);
    const list = await t.app.inject({ url: '/api/group-calls?state=end_missing', headers: auth });
    assert.deepEqual(list.json().items.map((c: { sid: string }) => c.sid), [sid]);
  });

  it('when pages are read with the cursor, then every session comes once, newest start first', async () => {
    const sids = [0, 1, 2].map((i) => ({ sid: newGroupSid(), ts: T0 + i * 1_000 }));
    for (const { sid, ts } of sids) await deliver(validGroupCallEvent({ sid, sc: 'S', ts }));
    const first = (await t.app.inject({ url: '/api/group-calls?limit=2', headers: auth })).json();
    const second = (await t.app.inject({ url: `/api/group-calls?limit=2&cursor=${first.next_cursor}`, headers: auth })).json();
    assert.deepEqual([...first.items, ...second.items].map((c: { sid: string }) => c.sid), sids.map((s) => s.sid).reverse());
    assert.equal(second.next_cursor, null);
  });

  it('when filters are bad, then answers 400 naming each; an unknown sid is 404; without the token 401', async () => {
    const bad = await t.app.inject({ url: '/api/group-calls?state=gone&from=yesterday&limit=0&cursor=x', headers: auth });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error.details.map((d: { field: string }) => d.field).sort(), ['from', 'state']);
    assert.equal((await t.app.inject({ url: '/api/group-calls?cursor=nope!', headers: auth })).statusCode, 400);
    assert.equal((await t.app.inject({ url: `/api/group-calls/${newGroupSid()}`, headers: auth })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/api/group-calls' })).statusCode, 401);
  });
});
