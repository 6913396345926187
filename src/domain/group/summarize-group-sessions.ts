import { ratio } from '../stats/figures.js';
import { nearestRank } from '../stats/percentile.js';
import { type GroupFigures, orderedReasonCounts, type ReasonCount } from './group-figures.js';
import type { GroupSession, ParticipantStay } from './group-session.js';
import { STAY_STATUSES, type StayStatus } from './stay-status.js';

/** The statuses that count as drops (docs/spec/group-calls.md §4). */
const DROP_STATUSES: ReadonlySet<StayStatus> = new Set(['dropped', 'timed_out']);

/**
 * Every group figure of a list of sessions, brute force (docs/spec/group-calls.md §4): the
 * reference definition that rollups are to be tested against. The caller picks the
 * sessions of a window (by `started_at`).
 *
 * @example summarizeGroupSessions([]).drop_rate // null
 */
export function summarizeGroupSessions(sessions: readonly GroupSession[]): GroupFigures {
  const count = Object.fromEntries(STAY_STATUSES.map((s) => [s, 0])) as Record<StayStatus, number>;
  const stays = sessions.flatMap((s) => s.stays);
  for (const stay of stays) count[stay.status]++;
  const joined = stays.length - count.failed_to_join;
  const drops = count.dropped + count.timed_out;
  const stayDurations = sortedSeconds(stays.filter((s) => s.joined_at !== null).map((s) => s.duration_ms));
  const sessionDurations = sortedSeconds(sessions.map((s) => s.duration_ms));
  return {
    sessions: sessions.length,
    sessions_ended: sessions.filter((s) => s.state === 'ended').length,
    sessions_end_missing: sessions.filter((s) => s.state === 'end_missing').length,
    stays: stays.length,
    joined_stays: joined,
    ...count,
    participant_minutes: stays.reduce((sum, s) => sum + (s.duration_ms ?? 0), 0) / 60_000,
    avg_participants: ratio(sessions.reduce((sum, s) => sum + s.participants, 0), sessions.length),
    peak_participants: sessions.reduce((peak, s) => Math.max(peak, s.peak_online), 0),
    join_failure_rate: ratio(count.failed_to_join, stays.length),
    drop_rate: ratio(drops, joined - count.in_room),
    join_failures_by_reason: countByReason(stays.filter((s) => s.status === 'failed_to_join')),
    drops_by_reason: countByReason(stays.filter((s) => DROP_STATUSES.has(s.status))),
    stay_duration_p50_sec: nearestRank(stayDurations, 0.5),
    stay_duration_p90_sec: nearestRank(stayDurations, 0.9),
    stay_duration_p99_sec: nearestRank(stayDurations, 0.99),
    session_duration_p50_sec: nearestRank(sessionDurations, 0.5),
    session_duration_p90_sec: nearestRank(sessionDurations, 0.9),
  };
}

/** Whole seconds (milliseconds rounded down) of the known durations, ascending. */
function sortedSeconds(durationsMs: ReadonlyArray<number | null>): number[] {
  return durationsMs.flatMap((ms) => (ms === null ? [] : [Math.floor(ms / 1000)])).sort((a, b) => a - b);
}

function countByReason(stays: readonly ParticipantStay[]): ReasonCount[] {
  const counts = new Map<string | null, number>();
  for (const stay of stays) counts.set(stay.reason, (counts.get(stay.reason) ?? 0) + 1);
  return orderedReasonCounts(counts);
}
