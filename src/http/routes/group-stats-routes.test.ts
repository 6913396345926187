import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import { createTestApp, type TestApp } from '../../../test/fixtures/test-app.js';
import { summarizeGroupSessions } from '../../domain/group/summarize-group-sessions.js';

/** 2023-11-14 22:00 UTC, on a whole hour. */
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 3_600_000);
const TOKEN = 'token-token-token-token';

describe('GET /api/stats/group, /timeseries and /breakdown', () => {
  let t: TestApp;
  let clock = T0 + 600_000;
  beforeEach(async () => {
    clock = T0 + 600_000;
    t = await createTestApp({ API_TOKEN: TOKEN, GROUP_END_DEADLINE: '1h' }, { now: () => clock });
  });
  afterEach(async () => {
    await t.cleanup();
  });
  const get = (url: string) => t.app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
  const deliver = (event: ReturnType<typeof validGroupCallEvent>) => t.app.inject({ url: `/callbacks/group-call-event?${new URLSearchParams(groupCallValuesOf(event))}` });

  /** A video room in room-1 that ended (a guest refused: room full) and an audio room in room-2 still open. */
  async function twoRooms(): Promise<[string, string]> {
    const [ended, open] = [newGroupSid(), newGroupSid()];
    await deliver(validGroupCallEvent({ sid: ended, sc: 'S', msc: 'C', user_id: 'host', ts: T0 + 1_000 }));
    await deliver(validGroupCallEvent({ sid: ended, sc: 'C', msc: 'D', user_id: 'guest', ue_type: 'IOS', ts: T0 + 2_000, disconnect_reason: 1401, releaser_type: 4 }));
    await deliver(validGroupCallEvent({ sid: ended, sc: 'E', msc: 'D', user_id: 'host', ts: T0 + 62_000, disconnect_reason: 1001, releaser_type: 3 }));
    await deliver(validGroupCallEvent({ sid: open, id: 'room-2', media_type: 'A', sc: 'S', msc: 'C', user_id: 'host', ts: T0 + 5 * 60_000 }));
    return [ended, open];
  }

  it('when two rooms are stored, then the summary has every group figure of the brute force, from the rollups, with Server-Timing', async () => {
    const sids = await twoRooms();
    const res = await get(`/api/stats/group?from=${T0}&to=${T0 + 3_600_000}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['server-timing']), /^stats;dur=\d+\.\d;desc="rollups"$/);
    const sessions = await Promise.all(sids.map((sid) => t.store.getGroupCall(sid, { now: clock, deadlineMs: 3_600_000 })));
    assert.deepEqual(res.json(), { from: T0, to: T0 + 3_600_000, summary: summarizeGroupSessions(sessions.flatMap((s) => (s === null ? [] : [s]))) });
    assert.deepEqual([res.json().summary.sessions, res.json().summary.failed_to_join, res.json().summary.in_room], [2, 1, 1]);
    const scanned = await get(`/api/stats/group?from=${T0}&to=${T0 + 3_600_000}&exact=true`);
    assert.match(String(scanned.headers['server-timing']), /desc="sessions"$/);
    assert.deepEqual(scanned.json(), res.json());
  });

  it('when the deadline passes, then the open room counts as end_missing', async () => {
    await twoRooms();
    clock = T0 + 5 * 60_000 + 3_600_001;
    const res = await get(`/api/stats/group?from=${T0}&to=${T0 + 3_600_000}`);
    assert.deepEqual([res.json().summary.sessions_ended, res.json().summary.sessions_end_missing], [1, 1]);
  });

  it('when three hours are asked in hour buckets of Asia/Kolkata (on :30 UTC), then every bucket is there with its ISO start and figures', async () => {
    await twoRooms();
    const res = await get(`/api/stats/group/timeseries?bucket=hour&tz=Asia/Kolkata&from=${T0}&to=${T0 + 3 * 3_600_000}&media_type=V`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.deepEqual([body.bucket, body.tz, body.items.length], ['hour', 'Asia/Kolkata', 4], 'Kolkata hours start at :30 UTC');
    assert.equal(body.items[0].bucket_start_iso, '2023-11-15T03:00:00+05:30');
    assert.deepEqual(body.items.map((i: { sessions: number }) => i.sessions), [1, 0, 0, 0]);
    assert.equal(body.items[1].drop_rate, null);
  });

  it('when no window is given, then the series covers the 24 hours before the next whole hour', async () => {
    const res = await get('/api/stats/group/timeseries');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().items.length, 24);
    assert.equal(res.json().items[23].bucket_start, T0 / 1000);
  });

  it('when broken down by room and ue_type, then values are the JSON pair and the device, largest sessions first', async () => {
    await twoRooms();
    const rooms = (await get('/api/stats/group/breakdown?by=room')).json();
    assert.deepEqual(rooms.items.map((i: { value: string }) => i.value), ['["linecorp.com","room-1"]', '["linecorp.com","room-2"]']);
    const devices = (await get('/api/stats/group/breakdown?by=ue_type&limit=1')).json();
    assert.deepEqual(devices.items.map((i: { value: string; sessions: number }) => [i.value, i.sessions]), [['ANDROID', 2]]);
  });

  it('when parameters are bad, then answers 400 invalid_parameter naming each field', async () => {
    const cases: Array<[string, string[]]> = [
      ['/api/stats/group?from=yesterday&media_type=X&exact=yes&tz=Mars/Base', ['from', 'media_type', 'exact', 'tz']],
      ['/api/stats/group?from=2000&to=1000&state=gone', ['state', 'to']],
      ['/api/stats/group/timeseries?bucket=month&tz=Nowhere', ['bucket', 'tz']],
      [`/api/stats/group/timeseries?bucket=minute&from=0&to=${T0}`, ['bucket']],
      ['/api/stats/group/breakdown', ['by']],
      ['/api/stats/group/breakdown?by=caller&limit=0&stay_status=x', ['stay_status', 'limit', 'by']],
      ['/api/stats/group/breakdown?by=room&by=host&user_id=', ['user_id', 'by']],
    ];
    for (const [url, fields] of cases) {
      const res = await get(url);
      assert.equal(res.statusCode, 400, url);
      const body = res.json() as { error: { code: string; details: Array<{ field: string }> } };
      assert.equal(body.error.code, 'invalid_parameter');
      assert.deepEqual([...new Set(body.error.details.map((d) => d.field))].sort(), [...fields].sort(), url);
    }
  });

  it('when the token is missing or wrong, then every group statistics endpoint answers 401', async () => {
    for (const url of ['/api/stats/group', '/api/stats/group/timeseries', '/api/stats/group/breakdown?by=host']) {
      assert.equal((await t.app.inject({ url })).statusCode, 401, url);
      assert.equal((await t.app.inject({ url, headers: { authorization: 'Bearer wrong-wrong-wrong-wrong' } })).statusCode, 401, url);
    }
  });
});
