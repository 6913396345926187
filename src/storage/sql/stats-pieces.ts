import { type Kysely, sql } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import { emptyPartial } from '../../domain/stats/partial-figures.js';
import { reachIndex } from '../../domain/stats/peak-reach.js';
import type { RollupPlan } from '../../domain/stats/plan-stats-query.js';
import { HOUR_GRAIN, QUARTER_GRAIN, type RollupCell, slotOf } from '../../domain/stats/rollup-cells.js';
import { mergeHistogramJson } from '../../domain/stats/seconds-histogram.js';
import { windowPieces } from '../../domain/stats/window-pieces.js';
import { addRowSums, reachAtJson, ROLLUP_SUM_COLUMNS, type RollupRow, statsDb } from './rollup-rows.js';
import type { Database } from './schema-types.js';

const HOUR = HOUR_GRAIN.sec;

/** How a query groups rollup rows (by a key of the row: its value, a bucket start, or one group) and where each group's window starts (for its peak). */
export interface RowGrouping {
  keyOf: (row: Pick<RollupRow, 'slot' | 'value'>) => string;
  windowStart: (row: Pick<RollupRow, 'slot' | 'value'>) => number | undefined;
  /** Bucket boundaries (time series), or none. */
  boundaries: readonly number[];
}

/**
 * The cells of a window on whole quarter-hours (`middle`), grouped:
 *
 * - peak concurrency from the hourly rows of the hours that lie whole inside one group, and
 *   from the quarter-hour rows elsewhere (an hour a bucket boundary or a window end cuts),
 *   each row read at the reach of its group's window (reach vectors are in quarter-hours:
 *   peak-reach.ts); only rows with a talking call, and only their peak columns;
 * - counts, sums and histograms from the fewest rows that tile each group's part of the
 *   window (windowPieces): UTC-day and 3-hour blocks, hours, quarter-hours.
 *
 * Blocks must be fresh (the caller rebuilds the stale ones first). Null when a row holds a
 * call too long for the reach vectors (then only a scan is exact).
 */
export async function readPieceCells(
  db: Kysely<Database>,
  plan: RollupPlan,
  middle: CallFilter,
  grouping: RowGrouping,
): Promise<RollupCell[] | null> {
  const groups = new Map<string, RollupCell>();
  const cellOf = (row: Pick<RollupRow, 'slot' | 'value'>) => {
    const key = grouping.keyOf(row);
    let cell = groups.get(key);
    if (cell === undefined) groups.set(key, (cell = { slot: Number(row.slot), dim: plan.dim, value: key, partial: emptyPartial(), peak_reach: [], long_calls: 0 }));
    return cell;
  };
  const sdb = statsDb(db);
  // An open end: where the rollups start or end.
  const bounds = await slotBounds(db, middle);
  if (bounds === null) return [];
  const pieces = windowPieces(bounds[0], bounds[1], grouping.boundaries);
  // One query per table (and block width): consecutive pieces as ranges, the ranges OR-ed
  // inside their overall bounds, so the database walks one index range and no IN list.
  const query = (table: 'call_rollups_q' | 'call_rollups' | 'call_rollup_blocks', ranges: Array<[number, number]>) => {
    const first = ranges[0];
    const last = ranges[ranges.length - 1];
    if (first === undefined || last === undefined) return null;
    let q = sdb.selectFrom(table as 'call_rollups').where('dim', '=', plan.dim).where('slot', '>=', first[0]).where('slot', '<', last[1]);
    if (ranges.length > 1) q = q.where((eb) => eb.or(ranges.map(([a, b]) => eb.and([eb('slot', '>=', a), eb('slot', '<', b)]))));
    if (plan.values !== null) q = q.where('value', 'in', plan.values);
    return q;
  };
  // Peaks: hours whole inside one group from the hourly rows, the rest from the quarter-hour
  // rows; reach vectors are in quarter-hours, so either is read at its group's window start.
  // Only rows where a call talked, through the covering indexes. Read first: a long call
  // sends the query to a scan before anything else is read.
  const cut = new Set(pieces.quarters.map((q) => slotOf(q)));
  const peakColumns = ['slot', 'value', 'peak_concurrency', 'peak_reach', 'long_calls'] as const;
  const hourFrom = Math.ceil(bounds[0] / HOUR) * HOUR;
  const hourTo = Math.floor(bounds[1] / HOUR) * HOUR;
  const peakReads = [
    hourFrom < hourTo ? query('call_rollups', [[hourFrom, hourTo]]) : null,
    query('call_rollups_q', runs(pieces.quarters, QUARTER_GRAIN.sec)),
  ].map((q) => q?.select(peakColumns).where('peak_concurrency', '>', 0).execute() ?? Promise.resolve([]));
  const [hourPeaks, quarterPeaks] = await Promise.all(peakReads);
  for (const row of [...(hourPeaks ?? []).filter((r) => !cut.has(Number(r.slot))), ...(quarterPeaks ?? [])]) {
    if (Number(row.long_calls) > 0) return null;
    const cell = cellOf(row);
    const peak = reachAtJson(row, reachIndex(Number(row.slot), grouping.windowStart(row)));
    if (peak > cell.partial.peak_concurrency) cell.partial.peak_concurrency = peak;
  }
  // Counts, sums and histograms from the pieces.
  const columns = ['slot', 'value', 'duration_hist', 'tta_hist', ...ROLLUP_SUM_COLUMNS] as const;
  const reads: Array<Promise<Array<Record<string, unknown>>>> = [];
  const read = (q: ReturnType<typeof query>) => {
    if (q !== null) reads.push(q.select(columns).execute());
  };
  read(query('call_rollups_q', runs(pieces.quarters, QUARTER_GRAIN.sec)));
  read(query('call_rollups', runs(pieces.hours, HOUR)));
  for (const [width, starts] of pieces.blocks) {
    const q = query('call_rollup_blocks', runs(starts, width));
    if (q !== null) reads.push(q.where(sql.ref('width'), '=', width).select(columns).execute());
  }
  for (const rows of await Promise.all(reads)) {
    for (const row of rows as Array<Pick<RollupRow, 'slot' | 'value' | 'duration_hist' | 'tta_hist' | (typeof ROLLUP_SUM_COLUMNS)[number]>>) {
      const cell = cellOf(row);
      addRowSums(cell.partial, row);
      mergeHistogramJson(cell.partial.duration_hist, row.duration_hist);
      mergeHistogramJson(cell.partial.tta_hist, row.tta_hist);
    }
  }
  return [...groups.values()];
}

/** [from, to) with open ends closed at the first and after the last hourly row; null when there is nothing in it. */
export async function slotBounds(db: Kysely<Database>, filter: CallFilter): Promise<[number, number] | null> {
  const base = () => statsDb(db).selectFrom('call_rollups').select('slot').where('dim', '=', 'all');
  let from = filter.from;
  let to = filter.to;
  if (from === undefined) {
    const first = await base().orderBy('slot', 'asc').limit(1).executeTakeFirst();
    if (first === undefined) return null;
    from = Number(first.slot);
  }
  if (to === undefined) {
    const last = await base().orderBy('slot', 'desc').limit(1).executeTakeFirst();
    if (last === undefined) return null;
    to = Number(last.slot) + 3600;
  }
  return from < to ? [from, to] : null;
}

/**
 * Sorted slots of one width as ranges [first, last + width) of consecutive slots. Exact: a
 * range holds no other slot of that width (blocks of another width live under their own
 * `width`, and hours and quarter-hours in their own tables).
 */
export function runs(slots: readonly number[], width: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const slot of slots) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === slot) last[1] = slot + width;
    else out.push([slot, slot + width]);
  }
  return out;
}
