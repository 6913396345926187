import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import type { GroupCallEvent } from '../group-call-event.js';
import { buildGroupSession } from './build-group-session.js';
import type { GroupSession } from './group-session.js';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const CLOCK = { now: T0 + 10 * HOUR, deadlineMs: 2 * HOUR };

/** The events of one room: each call gives one event of the same sid and room, `at` ms after T0. */
function room() {
  const sid = newGroupSid();
  return (at: number, user: string, sc: 'S' | 'C' | 'E', msc: 'C' | 'D' | 'T' | 'M', overrides: Partial<GroupCallEvent> = {}) =>
    validGroupCallEvent({ sid, user_id: user, host_id: 'alice', sc, msc, ts: T0 + at, ...overrides });
}

function build(events: GroupCallEvent[], clock = CLOCK): GroupSession {
  const session = buildGroupSession(events, clock);
  assert.ok(session !== null);
  return session;
}

const statuses = (session: GroupSession) => session.stays.map((s) => `${s.user_id}:${s.status}`);
const flagsOf = (flags: ReadonlyArray<{ code: string }>) => flags.map((f) => f.code);

describe('buildGroupSession: a room that starts, changes and ends (docs/spec/group-calls.md §1-2)', () => {
  const at = room();
  const events = [
    at(0, 'alice', 'S', 'C', { online: 1, display_name: 'Alice' }),
    at(5_000, 'bob', 'C', 'C', { online: 2, ue_type: 'IOS' }),
    at(65_000, 'bob', 'C', 'M', { online: 2, media_type: 'A' }),
    at(125_000, 'bob', 'C', 'D', { online: 1, disconnect_reason: 1301, releaser_type: 4 }),
    at(300_000, 'alice', 'E', 'D', { online: 0, disconnect_reason: 1001, releaser_type: 3 }),
  ];
  const session = build(events);

  it('when the room started and ended, then the session has its room, host, start, end and duration', () => {
    assert.deepEqual(
      [session.state, session.svc_id, session.id, session.host_id, session.media_type, session.started_at, session.ended_at, session.duration_ms, session.end_due_at],
      ['ended', 'linecorp.com', 'room-1', 'alice', 'V', T0, T0 + 300_000, 300_000, null],
    );
  });
  it('when two participants joined, then the counts are the distinct participants, the reported peak and the last online', () => {
    assert.deepEqual([session.participants, session.peak_online, session.final_online, session.peak_stays, session.event_count], [2, 2, 0, 2, 5]);
    assert.deepEqual(session.flags, []);
  });
  it("when bob switched to audio and was cut off by the network, then his stay has the change, the device and status dropped", () => {
    const bob = session.stays.find((s) => s.user_id === 'bob');
    assert.deepEqual(
      [bob?.joined_at, bob?.left_at, bob?.duration_ms, bob?.ue_type, bob?.media_type, bob?.media_changes, bob?.status, bob?.ended_by, bob?.reason],
      [T0 + 5_000, T0 + 125_000, 120_000, 'IOS', 'V', [{ ts: T0 + 65_000, media_type: 'A' }], 'dropped', 'server', 'NETWORK_UNSTABLE'],
    );
  });
  it('when alice left normally as the room ended, then her stay is completed with her display name', () => {
    const alice = session.stays.find((s) => s.user_id === 'alice');
    assert.deepEqual([alice?.status, alice?.ended_by, alice?.display_name, alice?.duration_ms], ['completed', 'participant', 'Alice', 300_000]);
  });
});

describe('buildGroupSession: rooms without an end (§1.5)', () => {
  const at = room();
  const events = [at(0, 'alice', 'S', 'C', { online: 1 }), at(HOUR, 'bob', 'C', 'C', { online: 2 })];
  it('when the deadline after the last event has not passed, then the session is in progress and its stays in_room', () => {
    const session = build(events, { now: T0 + 3 * HOUR - 1, deadlineMs: 2 * HOUR });
    assert.deepEqual([session.state, session.end_due_at, session.ended_at, session.duration_ms], ['in_progress', T0 + 3 * HOUR, null, null]);
    assert.deepEqual(statuses(session), ['alice:in_room', 'bob:in_room']);
  });
  it('when the deadline after the last event has passed, then the session is end_missing', () => {
    assert.equal(build(events, { now: T0 + 3 * HOUR + 1, deadlineMs: 2 * HOUR }).state, 'end_missing');
  });
  it('when the end comes late, then the session is ended and a stay still open closes at its end, flagged leave_missing', () => {
    const session = build([...events, at(2 * HOUR, 'alice', 'E', 'D', { online: 0 })]);
    assert.equal(session.state, 'ended');
    assert.deepEqual(session.stays.map((s) => [s.user_id, s.status, s.end, s.left_at, s.ended_by]), [
      ['alice', 'completed', 'D', T0 + 2 * HOUR, 'unknown'],
      ['bob', 'completed', 'room_end', T0 + 2 * HOUR, 'room_end'],
    ]);
    assert.deepEqual(session.stays.map((s) => flagsOf(s.flags)), [[], ['leave_missing']]);
  });
});

describe('buildGroupSession: joins that fail, repeat or were not seen (§2)', () => {
  it('when a participant is refused because the room is full, then the stay failed_to_join and does not count as a participant', () => {
    const at = room();
    const session = build([at(0, 'alice', 'S', 'C'), at(1_000, 'carol', 'C', 'D', { disconnect_reason: 1401, releaser_type: 4 }), at(9_000, 'alice', 'E', 'D')]);
    const carol = session.stays.find((s) => s.user_id === 'carol');
    assert.deepEqual([carol?.status, carol?.joined_at, carol?.left_at, carol?.duration_ms, carol?.reason], ['failed_to_join', null, T0 + 1_000, null, 'ROOM_IS_FULL']);
    assert.equal(session.participants, 1);
  });
  it('when a participant connects twice without a leave, then the first stay ends at the second join (rejoin) and is flagged', () => {
    const at = room();
    const session = build([at(0, 'alice', 'S', 'C'), at(10_000, 'alice', 'C', 'C'), at(20_000, 'alice', 'E', 'D')]);
    assert.deepEqual(session.stays.map((s) => [s.end, s.joined_at, s.left_at, s.status]), [
      ['rejoin', T0, T0 + 10_000, 'completed'],
      ['D', T0 + 10_000, T0 + 20_000, 'completed'],
    ]);
    assert.deepEqual(flagsOf(session.stays[0]?.flags ?? []), ['leave_missing']);
    assert.equal(session.participants, 1);
  });
  it('when a media change comes without a connect, then it opens a joined stay flagged join_missing', () => {
    const at = room();
    const session = build([at(0, 'alice', 'S', 'C'), at(3_000, 'bob', 'C', 'M', { media_type: 'A' }), at(8_000, 'bob', 'C', 'T')]);
    const bob = session.stays.find((s) => s.user_id === 'bob');
    assert.deepEqual([bob?.joined_at, bob?.media_type, bob?.media_changes, bob?.status], [T0 + 3_000, 'A', [], 'timed_out']);
    assert.deepEqual(flagsOf(bob?.flags ?? []), ['join_missing']);
  });
});

describe('buildGroupSession: repeats, versions and disagreements (§1)', () => {
  it('when an event arrives twice, then it counts once', () => {
    const at = room();
    const join = at(0, 'alice', 'S', 'C');
    assert.equal(build([join, join, { ...join, extra: {} }]).event_count, 1);
  });
  it('when one key comes in two versions, then the same one is kept whatever the order', () => {
    const at = room();
    const a = at(0, 'alice', 'S', 'C', { online: 1 });
    const b = { ...a, online: 3 };
    assert.equal(build([a, b]).peak_online, build([b, a]).peak_online);
    assert.equal(build([a, b]).event_count, 1);
  });
  it('when no sc=S came, an event follows the end and online disagrees, then each is flagged', () => {
    const at = room();
    const session = build([at(0, 'alice', 'C', 'C', { online: 4 }), at(5_000, 'alice', 'E', 'D', { online: 0 }), at(6_000, 'bob', 'C', 'C', { online: 1 })]);
    assert.deepEqual(flagsOf(session.flags), ['start_missing', 'event_after_end', 'online_disagrees']);
    assert.equal(session.started_at, T0);
  });
  it('when an event names another room, then it is flagged room_differs and still counts', () => {
    const at = room();
    const session = build([at(0, 'alice', 'S', 'C', { online: 1 }), at(1_000, 'bob', 'C', 'C', { id: 'room-2', online: 2 })]);
    assert.deepEqual(flagsOf(session.flags), ['room_differs']);
    assert.equal(session.participants, 2);
  });
  it('when there is no event, then there is no session', () => {
    assert.equal(buildGroupSession([], CLOCK), null);
  });
});
