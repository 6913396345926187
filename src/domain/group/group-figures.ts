import type { StayStatus } from './stay-status.js';

/** A count per reason (null: the stay's end carried none), largest first, then by reason. */
export interface ReasonCount {
  reason: string | null;
  count: number;
}

/** Counts per reason in the order of docs/spec/group-calls.md §4: largest first, then by reason in code-unit order, null last; zero counts left out. */
export function orderedReasonCounts(counts: ReadonlyMap<string | null, number>): ReasonCount[] {
  return [...counts]
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => ({ reason, count: n }))
    .sort((a, b) => b.count - a.count || compareReason(a.reason, b.reason));
}

function compareReason(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** The group figures of docs/spec/group-calls.md §4, under the names it gives them. */
export interface GroupFigures extends Record<StayStatus, number> {
  sessions: number;
  sessions_ended: number;
  sessions_end_missing: number;
  stays: number;
  joined_stays: number;
  participant_minutes: number;
  avg_participants: number | null;
  peak_participants: number;
  join_failure_rate: number | null;
  drop_rate: number | null;
  join_failures_by_reason: ReasonCount[];
  drops_by_reason: ReasonCount[];
  stay_duration_p50_sec: number | null;
  stay_duration_p90_sec: number | null;
  stay_duration_p99_sec: number | null;
  session_duration_p50_sec: number | null;
  session_duration_p90_sec: number | null;
}
