import { ratio } from '../stats/figures.js';
import { rankIndex } from '../stats/percentile.js';
import type { SecondsHistogram } from '../stats/seconds-histogram.js';
import { type GroupFigures, orderedReasonCounts } from './group-figures.js';
import type { GroupSession, ParticipantStay } from './group-session.js';
import { STAY_STATUSES, type StayStatus } from './stay-status.js';

/** What a cell needs of a stay. */
export type CellStay = Pick<ParticipantStay, 'status' | 'duration_ms' | 'joined_at' | 'reason'>;

/** What a cell needs of a session: a GroupSession is one, and so is a stored row with its stays. */
export type CellSession = Pick<GroupSession, 'state' | 'duration_ms' | 'participants' | 'peak_online'> & { stays: readonly CellStay[] };

/**
 * The group figures of some sessions in a mergeable form (docs/statistics.md, "Group
 * figures"): counts and sums add, the peak is a max, durations are counts per whole second
 * and reasons counts per reason, so that cells of disjoint session sets merge into the cell
 * of their union and `finishGroupCell` gives exactly what summarizeGroupSessions gives.
 */
export interface GroupCell {
  sessions: number;
  sessions_ended: number;
  sessions_end_missing: number;
  statuses: Record<StayStatus, number>;
  participants_sum: number;
  /** Sum of the stays' duration_ms (an integer: divided once, when finished). */
  participant_ms: number;
  peak_participants: number;
  /** Whole seconds → count, of joined stays with a duration. */
  stay_seconds: SecondsHistogram;
  /** Whole seconds → count, of sessions with a duration. */
  session_seconds: SecondsHistogram;
  join_failures: Map<string | null, number>;
  drops: Map<string | null, number>;
}

/** A cell of no sessions. */
export function emptyGroupCell(): GroupCell {
  return {
    sessions: 0,
    sessions_ended: 0,
    sessions_end_missing: 0,
    statuses: Object.fromEntries(STAY_STATUSES.map((s) => [s, 0])) as Record<StayStatus, number>,
    participants_sum: 0,
    participant_ms: 0,
    peak_participants: 0,
    stay_seconds: new Map(),
    session_seconds: new Map(),
    join_failures: new Map(),
    drops: new Map(),
  };
}

/** Adds one session with its stays (the caller picks which stays: all, or those of one ue_type). */
export function addSessionToCell(cell: GroupCell, session: CellSession): void {
  cell.sessions++;
  if (session.state === 'ended') cell.sessions_ended++;
  else if (session.state === 'end_missing') cell.sessions_end_missing++;
  cell.participants_sum += session.participants;
  if (session.peak_online > cell.peak_participants) cell.peak_participants = session.peak_online;
  if (session.duration_ms !== null) addCount(cell.session_seconds, Math.floor(session.duration_ms / 1000), 1);
  for (const stay of session.stays) {
    cell.statuses[stay.status]++;
    if (stay.duration_ms !== null) {
      cell.participant_ms += stay.duration_ms;
      if (stay.joined_at !== null) addCount(cell.stay_seconds, Math.floor(stay.duration_ms / 1000), 1);
    }
    if (stay.status === 'failed_to_join') addCount(cell.join_failures, stay.reason, 1);
    else if (stay.status === 'dropped' || stay.status === 'timed_out') addCount(cell.drops, stay.reason, 1);
  }
}

/** Adds every count of `from` into `into`. */
export function mergeGroupCell(into: GroupCell, from: GroupCell): void {
  into.sessions += from.sessions;
  into.sessions_ended += from.sessions_ended;
  into.sessions_end_missing += from.sessions_end_missing;
  for (const s of STAY_STATUSES) into.statuses[s] += from.statuses[s];
  into.participants_sum += from.participants_sum;
  into.participant_ms += from.participant_ms;
  into.peak_participants = Math.max(into.peak_participants, from.peak_participants);
  for (const [k, n] of from.stay_seconds) addCount(into.stay_seconds, k, n);
  for (const [k, n] of from.session_seconds) addCount(into.session_seconds, k, n);
  for (const [k, n] of from.join_failures) addCount(into.join_failures, k, n);
  for (const [k, n] of from.drops) addCount(into.drops, k, n);
}

/** The group figures of a cell (docs/spec/group-calls.md §4). */
export function finishGroupCell(cell: GroupCell): GroupFigures {
  const count = cell.statuses;
  const stays = STAY_STATUSES.reduce((sum, s) => sum + count[s], 0);
  const joined = stays - count.failed_to_join;
  const [p50, p90, p99] = exactPercentiles(cell.stay_seconds, [0.5, 0.9, 0.99]);
  const [s50, s90] = exactPercentiles(cell.session_seconds, [0.5, 0.9]);
  return {
    sessions: cell.sessions,
    sessions_ended: cell.sessions_ended,
    sessions_end_missing: cell.sessions_end_missing,
    stays,
    joined_stays: joined,
    ...count,
    participant_minutes: cell.participant_ms / 60_000,
    avg_participants: ratio(cell.participants_sum, cell.sessions),
    peak_participants: cell.peak_participants,
    join_failure_rate: ratio(count.failed_to_join, stays),
    drop_rate: ratio(count.dropped + count.timed_out, joined - count.in_room),
    join_failures_by_reason: orderedReasonCounts(cell.join_failures),
    drops_by_reason: orderedReasonCounts(cell.drops),
    stay_duration_p50_sec: p50 ?? null,
    stay_duration_p90_sec: p90 ?? null,
    stay_duration_p99_sec: p99 ?? null,
    session_duration_p50_sec: s50 ?? null,
    session_duration_p90_sec: s90 ?? null,
  };
}

/** Nearest-rank percentiles (percentile.ts) of counts per exact value. */
export function exactPercentiles(counts: ReadonlyMap<number, number>, ps: readonly number[]): Array<number | null> {
  let n = 0;
  for (const c of counts.values()) n += c;
  if (n === 0) return ps.map(() => null);
  const keys = [...counts.keys()].sort((a, b) => a - b);
  return ps.map((p) => {
    const target = rankIndex(n, p) + 1;
    let seen = 0;
    for (const key of keys) {
      seen += counts.get(key) ?? 0;
      if (seen >= target) return key;
    }
    return null;
  });
}


function addCount<K>(map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}
