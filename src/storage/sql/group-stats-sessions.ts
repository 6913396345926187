import type { CallType } from '../../domain/call-event.js';
import type { GroupClock, SessionState } from '../../domain/group/group-session.js';
import type { ValuedSession } from '../../domain/group/group-stats-query.js';
import type { StayStatus } from '../../domain/group/stay-status.js';
import { nullableNumber } from './column-values.js';

/** The group_sessions columns the statistics read. */
export const STATS_SESSION_COLUMNS = [
  'sid', 'svc_id', 'id', 'host_svc_id', 'host_id', 'media_type', 'started_at', 'ended_at', 'duration_ms', 'last_event_at', 'participants', 'peak_online',
] as const;
/** The group_stays columns the statistics read. */
export const STATS_STAY_COLUMNS = ['sid', 'ue_type', 'status', 'duration_ms', 'joined_at', 'reason'] as const;

/** A session as the statistics read it, with its start. */
export type StatsSession = ValuedSession & { sid: string; started_at: number };

/**
 * Stored session and stay rows as sessions for the figures. With a clock, a session without
 * sc=E is end_missing once its deadline has passed (docs/spec/group-calls.md §1.5); without
 * one (the rollups, which never hold end_missing) it is in_progress.
 */
export function statsSessionsOf(
  sessionRows: ReadonlyArray<Record<string, unknown>>,
  stayRows: ReadonlyArray<Record<string, unknown>>,
  clock: GroupClock | null,
): StatsSession[] {
  const stays = new Map<string, StatsSession['stays'][number][]>();
  for (const row of stayRows) {
    const sid = String(row.sid);
    let list = stays.get(sid);
    if (list === undefined) stays.set(sid, (list = []));
    list.push({
      ue_type: String(row.ue_type),
      status: String(row.status) as StayStatus,
      duration_ms: nullableNumber(row.duration_ms),
      joined_at: nullableNumber(row.joined_at),
      reason: row.reason === null ? null : String(row.reason),
    });
  }
  return sessionRows.map((row) => {
    const sid = String(row.sid);
    const endedAt = nullableNumber(row.ended_at);
    const state: SessionState =
      endedAt !== null ? 'ended' : clock !== null && clock.now > Number(row.last_event_at) + clock.deadlineMs ? 'end_missing' : 'in_progress';
    return {
      sid,
      svc_id: String(row.svc_id),
      id: String(row.id),
      host_svc_id: String(row.host_svc_id),
      host_id: String(row.host_id),
      media_type: String(row.media_type) as CallType,
      started_at: Number(row.started_at),
      state,
      duration_ms: nullableNumber(row.duration_ms),
      participants: Number(row.participants),
      peak_online: Number(row.peak_online),
      stays: stays.get(sid) ?? [],
    };
  });
}
