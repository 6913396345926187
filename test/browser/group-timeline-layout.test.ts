import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupCallJson, GroupStay } from '../../web/src/api-types.js';
import { layoutTimeline, timeTicks } from '../../web/src/group-timeline-layout.js';

const T0 = 1_700_000_000_000;

function stay(overrides: Partial<GroupStay>): GroupStay {
  return {
    user_svc_id: 'linecorp.com', user_id: 'alice', display_name: null, ue_type: 'ANDROID', media_type: 'V', media_changes: [],
    joined_at: T0, left_at: T0 + 60_000, duration_ms: 60_000, end: 'D', disconnect_reason: 1001, releaser_type: 3,
    status: 'completed', ended_by: 'participant', reason: 'NORMAL', explanation: '', flags: [], ...overrides,
  };
}

function room(stays: GroupStay[], overrides: Partial<GroupCallJson> = {}): GroupCallJson {
  return {
    sid: '0'.repeat(32), svc_id: 'linecorp.com', id: 'room-1', host_svc_id: 'linecorp.com', host_id: 'alice', media_type: 'V', state: 'ended',
    started_at: T0, ended_at: T0 + 120_000, duration_ms: 120_000, end_due_at: null, last_event_at: T0 + 120_000, participants: 2,
    peak_online: 2, final_online: 0, peak_stays: 2, event_count: 4, conflicts: 0, flags: [], rules_version: 1, stays, ...overrides,
  };
}

describe('layoutTimeline', () => {
  it('when participants come in turn, then lanes follow their first appearance and each lane holds its stays in time order', () => {
    const layout = layoutTimeline(room([
      stay({ user_id: 'carol', joined_at: T0 + 50_000, left_at: T0 + 70_000 }),
      stay({ user_id: 'bob', joined_at: null, left_at: T0 + 10_000, status: 'failed_to_join', duration_ms: null }),
      stay({ user_id: 'alice', joined_at: T0, left_at: T0 + 120_000 }),
      stay({ user_id: 'carol', joined_at: T0 + 5_000, left_at: T0 + 20_000 }),
    ]), T0 + 999_999);
    assert.deepEqual(layout.lanes.map((l) => l.user_id), ['alice', 'carol', 'bob']);
    assert.deepEqual(layout.lanes[1]?.stays.map((p) => p.index), [3, 0]);
    const attempt = layout.lanes[2]?.stays[0];
    assert.deepEqual([attempt?.attempt, attempt?.start, attempt?.end, attempt?.open], [true, T0 + 10_000, T0 + 10_000, false]);
    assert.deepEqual([layout.from, layout.to], [T0, T0 + 120_000], 'an ended room spans its start to its end, whatever the time now');
  });

  it('when the room has not ended, then open stays run to now and the scale reaches it', () => {
    const now = T0 + 300_000;
    const layout = layoutTimeline(room([stay({ left_at: null, duration_ms: null, end: 'open', status: 'in_room' })], { state: 'in_progress', ended_at: null, duration_ms: null, last_event_at: T0 }), now);
    const open = layout.lanes[0]?.stays[0];
    assert.deepEqual([open?.open, open?.end, layout.to, layout.openEnd], [true, now, now, now]);
  });

  it('when a stay joined after the room ended (event_after_end), then the scale widens to show it', () => {
    const layout = layoutTimeline(room([stay({ joined_at: T0 + 130_000, left_at: T0 + 140_000 })]), T0);
    assert.equal(layout.to, T0 + 140_000);
  });
});

describe('timeTicks', () => {
  it('when the span is two minutes, then four ticks fall on round half minutes within it', () => {
    const ticks = timeTicks(T0, T0 + 120_000);
    assert.equal(ticks.length, 4);
    assert.ok(ticks.every((t) => t % 30_000 === 0 && t >= T0 && t <= T0 + 120_000));
  });

  it('when the span is a day, then there are at most six ticks', () => {
    const ticks = timeTicks(T0, T0 + 86_400_000);
    assert.ok(ticks.length >= 3 && ticks.length <= 6, String(ticks.length));
  });
});
