import type { CallType } from '../call-event.js';
import { type Bucket, bucketBoundaries } from '../stats/time-buckets.js';
import type { CellSession, CellStay } from './group-cell.js';
import type { GroupFigures } from './group-figures.js';
import type { GroupClock, GroupSession } from './group-session.js';
import type { GroupCallFilter } from './parse-group-call-filter.js';

/** What a group breakdown can group by (docs/spec/group-calls.md §4). */
export const GROUP_BREAKDOWN_FIELDS = ['media_type', 'ue_type', 'room', 'host'] as const;
export type GroupBreakdownField = (typeof GROUP_BREAKDOWN_FIELDS)[number];

/** The media types a group statistics filter takes. */
export const GROUP_MEDIA_TYPES: readonly CallType[] = ['A', 'V'];

/** The group call list's filters plus the session's media type. */
export interface GroupStatsFilter extends GroupCallFilter {
  media_type?: CallType;
}

/** Where a group answer came from: the group rollups, or a scan of the sessions. */
export type GroupStatsSource = 'rollups' | 'sessions';

export interface GroupSummaryQuery {
  filter: GroupStatsFilter;
  /** The time end_missing is read at (docs/spec/group-calls.md §1.5). */
  clock: GroupClock;
  /** Scan the sessions even when the rollups could answer. */
  exact?: boolean;
}

export interface GroupTimeseriesQuery extends GroupSummaryQuery {
  /** Bucket boundaries in Unix seconds (bucketBoundaries); the window is filter.from/to in milliseconds. */
  boundaries: readonly number[];
}

export interface GroupBreakdownQuery extends GroupSummaryQuery {
  by: GroupBreakdownField;
  limit: number;
}

export interface GroupSummaryAnswer {
  summary: GroupFigures;
  source: GroupStatsSource;
}

export interface GroupTimeseriesAnswer {
  /** One per bucket, in order, empty buckets included; bucket_start in Unix seconds. */
  items: Array<{ bucket_start: number } & GroupFigures>;
  source: GroupStatsSource;
}

export interface GroupBreakdownAnswer {
  items: Array<{ value: string } & GroupFigures>;
  source: GroupStatsSource;
}

/** The session facts a breakdown value is read from. */
export type ValuedSession = Pick<GroupSession, 'svc_id' | 'id' | 'host_svc_id' | 'host_id' | 'media_type'> & CellSession & {
  stays: ReadonlyArray<CellStay & { ue_type: string }>;
};

/**
 * The values a session counts under for a breakdown, each with the part of the session that
 * counts there (docs/spec/group-calls.md §4): the whole session, except for `ue_type`, where
 * each value takes the session with its stays of that ue_type only.
 *
 * @example sessionValues(session, 'room') // [['["svc-1","room-1"]', session]]
 */
export function sessionValues<S extends ValuedSession>(session: S, by: GroupBreakdownField): Array<[string, S]> {
  if (by === 'media_type') return [[session.media_type, session]];
  if (by === 'room') return [[JSON.stringify([session.svc_id, session.id]), session]];
  if (by === 'host') return [[JSON.stringify([session.host_svc_id, session.host_id]), session]];
  const byUe = new Map<string, S['stays'][number][]>();
  for (const stay of session.stays) {
    let list = byUe.get(stay.ue_type);
    if (list === undefined) byUe.set(stay.ue_type, (list = []));
    list.push(stay);
  }
  return [...byUe].map(([ue, stays]) => [ue, { ...session, stays }]);
}

/** Breakdown items in their order: largest `sessions` first, then by value (code-unit order); the first `limit`. */
export function orderGroupBreakdown<T extends { value: string; sessions: number }>(items: T[], limit: number): T[] {
  return items.sort((a, b) => b.sessions - a.sessions || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)).slice(0, limit);
}

/**
 * The bucket boundaries (Unix seconds) of a group time series over [fromMs, toMs): those of
 * the 1-to-1 series (bucketBoundaries) over the whole seconds that hold the window; null
 * when there would be more than MAX_BUCKETS.
 */
export function groupBucketBoundaries(fromMs: number, toMs: number, bucket: Bucket, tz: string): number[] | null {
  return bucketBoundaries(Math.floor(fromMs / 1000), Math.ceil(toMs / 1000), bucket, tz);
}
