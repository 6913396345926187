import type { CallFilter } from '../call-filter.js';
import type { Figures } from './figures.js';
import type { Bucket } from './time-buckets.js';

/** What a breakdown can group by: a rollup dimension, or the caller/callee user (top N). */
export const BREAKDOWN_FIELDS = [
  'outcome', 'reason', 'terminate', 'ended_by', 'type', 'from_service_id', 'to_service_id', 'caller', 'callee',
] as const;
export type BreakdownField = (typeof BREAKDOWN_FIELDS)[number];

/** Default and largest number of values a breakdown returns. */
export const DEFAULT_BREAKDOWN_LIMIT = 20;
export const MAX_BREAKDOWN_LIMIT = 1_000;

/** Where an answer came from: the rollups, or a scan of the calls. */
export type StatsSource = 'rollups' | 'calls';

export interface SummaryQuery {
  filter: CallFilter;
  /** Scan the calls even when the rollups could answer (exact percentiles; the benchmarks' baseline). */
  exact?: boolean;
}

export interface TimeseriesQuery extends SummaryQuery {
  bucket: Bucket;
  tz: string;
  /** Bucket boundaries from bucketBoundaries(filter.from, filter.to, …). */
  boundaries: number[];
}

export interface BreakdownQuery extends SummaryQuery {
  by: BreakdownField;
  limit: number;
}

export interface SummaryAnswer {
  summary: Figures;
  source: StatsSource;
}

export interface TimeseriesAnswer {
  /** One per bucket, in order, empty buckets included. */
  items: Array<{ bucket_start: number } & Figures>;
  source: StatsSource;
}

export interface BreakdownAnswer {
  items: Array<{ value: string | number | null } & Figures>;
  source: StatsSource;
}
