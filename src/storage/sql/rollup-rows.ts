import type { Kysely } from 'kysely';
import type { StatsCall } from '../../domain/stats/figures.js';
import { emptyPartial, type PartialFigures } from '../../domain/stats/partial-figures.js';
import { histogramToJson, mergeHistogramJson } from '../../domain/stats/seconds-histogram.js';
import type { RollupCell, RollupDimension } from '../../domain/stats/rollup-cells.js';
import type { Database } from './schema-types.js';

/**
 * The statistics rollups (migration 2): one row per UTC hour slot × dimension × value,
 * holding the mergeable figures of the calls set up in that hour. Row types stay here.
 */
export interface CallRollupsTable {
  slot: number;
  dim: string;
  value: string;
  completed: number;
  dropped: number;
  canceled: number;
  rejected: number;
  busy: number;
  no_answer: number;
  failed: number;
  duration_sum: number;
  billing_sum: number;
  answered_duration_sum: number;
  short_calls: number;
  peak_concurrency: number;
  /** JSON histogram (seconds-histogram.ts) of duration over answered calls. */
  duration_hist: string;
  /** JSON histogram of start_time − setup_time over answered calls with start_time > 0. */
  tta_hist: string;
  /** JSON array: the hour's reach vector (src/domain/stats/peak-reach.ts); '[]' until first computed (migration 5). */
  peak_reach: string;
  /** Calls of the cell talking past their setup hour + PEAK_REACH_HOURS (rollups then cannot give their exact peak). */
  long_calls: number;
}

/** The shared Database plus the rollups table. */
export interface StatsDatabase extends Database {
  call_rollups: CallRollupsTable;
  /** The same rows per quarter-hour slot (migration 9). */
  call_rollups_q: CallRollupsTable;
  /** Counts, sums and histograms of 3-hour and UTC-day blocks (migration 9, rollup-blocks.ts). */
  call_rollup_blocks: Omit<CallRollupsTable, 'peak_concurrency' | 'peak_reach' | 'long_calls'> & { width: number };
}

/** The same Kysely instance, typed with the rollups table. */
export function statsDb(db: Kysely<Database>): Kysely<StatsDatabase> {
  return db as unknown as Kysely<StatsDatabase>;
}

export type RollupRow = CallRollupsTable;

/** The columns of call_rollups in insert order. */
export const ROLLUP_COLUMNS = [
  'slot', 'dim', 'value', 'completed', 'dropped', 'canceled', 'rejected', 'busy', 'no_answer', 'failed',
  'duration_sum', 'billing_sum', 'answered_duration_sum', 'short_calls', 'peak_concurrency', 'duration_hist', 'tta_hist',
  'peak_reach', 'long_calls',
] as const;

/** A cell as a row's values, in ROLLUP_COLUMNS order. */
export function cellToValues(cell: RollupCell): unknown[] {
  const p = cell.partial;
  const o = p.outcomes;
  return [
    cell.slot, cell.dim, cell.value, o.completed, o.dropped, o.canceled, o.rejected, o.busy, o.no_answer, o.failed,
    p.duration_sum, p.billing_sum, p.answered_duration_sum, p.short_calls, p.peak_concurrency,
    histogramToJson(p.duration_hist), histogramToJson(p.tta_hist),
    JSON.stringify(cell.peak_reach), cell.long_calls,
  ];
}

/** A row read back as a cell. */
export function rowToCell(row: RollupRow): RollupCell {
  const partial = emptyPartial();
  addRowToPartial(partial, row);
  return { slot: Number(row.slot), dim: row.dim as RollupDimension, value: row.value, partial, peak_reach: rowReach(row), long_calls: Number(row.long_calls) };
}

/**
 * rowReach(row)[min(i, last)] without parsing the JSON array (the hot path of reads: one
 * call per row read). The stored text is `[n0,n1,…]` as JSON.stringify wrote it.
 */
export function reachAtJson(row: Pick<RollupRow, 'peak_reach' | 'peak_concurrency'>, i: number): number {
  const text = row.peak_reach;
  if (text.length <= 2) return Number(row.peak_concurrency);
  let start = 1;
  for (let k = 0; k < i; k++) {
    const comma = text.indexOf(',', start);
    if (comma < 0) break;
    start = comma + 1;
  }
  const end = text.indexOf(',', start);
  return Number(text.slice(start, end < 0 ? text.length - 1 : end));
}

/** A row's reach vector; a row not yet refreshed since migration 5 reads as its own peak. */
export function rowReach(row: Pick<RollupRow, 'peak_reach' | 'peak_concurrency'>): number[] {
  const reach = JSON.parse(row.peak_reach) as number[];
  return reach.length === 0 ? [Number(row.peak_concurrency)] : reach;
}

/**
 * Adds a row's figures into a partial, histograms merged straight from their JSON (the hot
 * path of reads). Peak concurrency takes the row's reach at `reachIndex` (peak-reach.ts):
 * 0, the row's own peak, unless the caller knows how many earlier hours of its window count.
 */
export function addRowToPartial(p: PartialFigures, row: RollupRow, reachIndex = 0): void {
  addRowSums(p, row);
  addRowDistributions(p, row, reachIndex);
}

/** The columns that add up (addRowSums): a database can sum them itself. */
export const ROLLUP_SUM_COLUMNS = [
  'completed', 'dropped', 'canceled', 'rejected', 'busy', 'no_answer', 'failed',
  'duration_sum', 'billing_sum', 'answered_duration_sum', 'short_calls',
] as const;

/** Adds a row's counts and sums (ROLLUP_SUM_COLUMNS; numbers or numeric text) into a partial. */
export function addRowSums(p: PartialFigures, row: Record<(typeof ROLLUP_SUM_COLUMNS)[number], unknown>): void {
  const o = p.outcomes;
  o.completed += Number(row.completed);
  o.dropped += Number(row.dropped);
  o.canceled += Number(row.canceled);
  o.rejected += Number(row.rejected);
  o.busy += Number(row.busy);
  o.no_answer += Number(row.no_answer);
  o.failed += Number(row.failed);
  p.duration_sum += Number(row.duration_sum);
  p.billing_sum += Number(row.billing_sum);
  p.answered_duration_sum += Number(row.answered_duration_sum);
  p.short_calls += Number(row.short_calls);
}

/** Merges a row's histograms and peak (at `reachIndex`) into a partial. */
export function addRowDistributions(
  p: PartialFigures,
  row: Pick<RollupRow, 'duration_hist' | 'tta_hist' | 'peak_concurrency' | 'peak_reach'>,
  reachIndex: number,
): void {
  mergeHistogramJson(p.duration_hist, row.duration_hist);
  mergeHistogramJson(p.tta_hist, row.tta_hist);
  const peak = reachIndex === 0 ? Number(row.peak_concurrency) : reachAtJson(row, reachIndex);
  if (peak > p.peak_concurrency) p.peak_concurrency = peak;
}

/** The calls columns statistics read, as SQL. */
export const STATS_CALL_COLUMNS =
  'setup_time, start_time, end_time, duration, billing_sec, outcome, reason, terminate, ended_by, type, ' +
  'from_service_id, to_service_id, from_user_id, to_user_id';

/** A selected calls row (STATS_CALL_COLUMNS) as a StatsCall, numbers as numbers. */
export function rowToStatsCall(row: Record<string, unknown>): StatsCall {
  return {
    setup_time: Number(row.setup_time),
    start_time: Number(row.start_time),
    end_time: Number(row.end_time),
    duration: Number(row.duration),
    billing_sec: row.billing_sec === null ? null : Number(row.billing_sec),
    outcome: row.outcome as StatsCall['outcome'],
    reason: row.reason as string,
    terminate: Number(row.terminate),
    ended_by: row.ended_by as StatsCall['ended_by'],
    type: row.type as StatsCall['type'],
    from_service_id: row.from_service_id as string,
    to_service_id: row.to_service_id as string,
    from_user_id: row.from_user_id as string,
    to_user_id: row.to_user_id as string,
  };
}
