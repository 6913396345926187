import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newGroupSid, validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import type { GroupCallEvent } from '../group-call-event.js';
import { buildGroupSession } from './build-group-session.js';
import type { GroupSession } from './group-session.js';
import { summarizeGroupSessions } from './summarize-group-sessions.js';

const T0 = 1_700_000_000_000;
const CLOCK = { now: T0 + 600_000, deadlineMs: 3_600_000 };

function session(events: Array<[number, string, GroupCallEvent['sc'], GroupCallEvent['msc'], number, Partial<GroupCallEvent>?]>): GroupSession {
  const sid = newGroupSid();
  const built = buildGroupSession(
    events.map(([at, user, sc, msc, online, more]) => validGroupCallEvent({ sid, user_id: user, sc, msc, online, ts: T0 + at, ...more })),
    CLOCK,
  );
  assert.ok(built !== null);
  return built;
}

describe('summarizeGroupSessions: the figures of docs/spec/group-calls.md §4', () => {
  const ended = session([
    [0, 'alice', 'S', 'C', 1],
    [5_000, 'bob', 'C', 'C', 2],
    [10_000, 'carol', 'C', 'D', 2, { disconnect_reason: 1401, releaser_type: 4 }],
    [125_000, 'bob', 'C', 'D', 1, { disconnect_reason: 1301, releaser_type: 4 }],
    [300_000, 'alice', 'E', 'D', 0, { disconnect_reason: 1001, releaser_type: 3 }],
  ]);
  const open = session([
    [0, 'dave', 'S', 'C', 1],
    [10_000, 'erin', 'C', 'C', 2],
    [70_000, 'erin', 'C', 'T', 1],
  ]);
  const figures = summarizeGroupSessions([ended, open]);

  it('when one session ended and one is open, then sessions and stays are counted by state and status', () => {
    const { sessions, sessions_ended, sessions_end_missing, stays, joined_stays, completed, dropped, timed_out, kicked, replaced, failed_to_join, in_room } = figures;
    assert.deepEqual(
      { sessions, sessions_ended, sessions_end_missing, stays, joined_stays, completed, dropped, timed_out, kicked, replaced, failed_to_join, in_room },
      { sessions: 2, sessions_ended: 1, sessions_end_missing: 0, stays: 5, joined_stays: 4, completed: 1, dropped: 1, timed_out: 1, kicked: 0, replaced: 0, failed_to_join: 1, in_room: 1 },
    );
  });
  it('when stays lasted 300, 120 and 60 s, then participant-minutes are 8 and an in_room stay adds nothing', () => {
    assert.equal(figures.participant_minutes, 8);
  });
  it('when each session had two participants, then the average is 2 and the peak 2', () => {
    assert.deepEqual([figures.avg_participants, figures.peak_participants], [2, 2]);
  });
  it('when one stay of five failed to join and two of three finished joined stays dropped or timed out, then the rates say so', () => {
    assert.deepEqual([figures.join_failure_rate, figures.drop_rate], [1 / 5, 2 / 3]);
  });
  it('when failures and drops have reasons, then they are counted by reason, largest first, no reason last', () => {
    assert.deepEqual(figures.join_failures_by_reason, [{ reason: 'ROOM_IS_FULL', count: 1 }]);
    assert.deepEqual(figures.drops_by_reason, [{ reason: 'NETWORK_UNSTABLE', count: 1 }, { reason: null, count: 1 }]);
  });
  it('when joined stays lasted 60, 120 and 300 s, then the nearest-rank percentiles are 120, 300, 300; the ended session 300 s', () => {
    assert.deepEqual(
      [figures.stay_duration_p50_sec, figures.stay_duration_p90_sec, figures.stay_duration_p99_sec, figures.session_duration_p50_sec, figures.session_duration_p90_sec],
      [120, 300, 300, 300, 300],
    );
  });
  it('when there is no session, then counts are 0 and ratios and percentiles null', () => {
    const none = summarizeGroupSessions([]);
    assert.deepEqual([none.sessions, none.peak_participants, none.participant_minutes], [0, 0, 0]);
    assert.deepEqual([none.avg_participants, none.drop_rate, none.join_failure_rate, none.stay_duration_p50_sec], [null, null, null, null]);
  });
});
