import type { Kysely } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import { emptyPartial } from '../../domain/stats/partial-figures.js';
import { reachIndex } from '../../domain/stats/peak-reach.js';
import type { RollupPlan } from '../../domain/stats/plan-stats-query.js';
import { HOUR_GRAIN, QUARTER_GRAIN, type RollupCell } from '../../domain/stats/rollup-cells.js';
import { mergeHistogramJson } from '../../domain/stats/seconds-histogram.js';
import { addRowSums, reachAtJson, ROLLUP_SUM_COLUMNS, type RollupRow, statsDb } from './rollup-rows.js';
import type { Database } from './schema-types.js';

const HOUR = HOUR_GRAIN.sec;

/** More split hours than this: every slot's counts are read from the quarter-hour rows (e.g. hour buckets in Asia/Kolkata). */
const MAX_SPLIT_HOURS = 200;

/** How a query groups rollup rows (by a key of the row) and where each group's window starts (for its peak). */
export interface MixedGrouping {
  keyOf: (row: Pick<RollupRow, 'slot' | 'value'>) => string;
  windowStart: (row: Pick<RollupRow, 'slot' | 'value'>) => number | undefined;
  /** Bucket boundaries (time series), or none. */
  boundaries: readonly number[];
}

type Range = [number | undefined, number | undefined];

/**
 * The cells of a window on whole quarter-hours (`middle`), grouped, read from both grains:
 * counts, sums and histograms from the hourly rows of every hour that lies whole inside
 * the window and inside one group (bucket), and from the quarter-hour rows of the rest (the
 * window's first and last partial hours, the hours a bucket boundary cuts); peak
 * concurrency from the quarter-hour rows alone, each read at the reach of its group's
 * window in quarter-hours (peak-reach.ts), so that it is exact wherever the window and the
 * buckets start. A long window thus reads about as many rows as with hourly buckets.
 * Null when a quarter-hour row holds a call too long for the reach vectors (then a scan).
 */
export async function readMixedCells(db: Kysely<Database>, plan: RollupPlan, middle: CallFilter, grouping: MixedGrouping): Promise<RollupCell[] | null> {
  const { from, to } = middle;
  const { hourRanges, quarterRanges } = splitByGrain(from, to, grouping.boundaries);
  const groups = new Map<string, RollupCell>();
  const cellOf = (row: Pick<RollupRow, 'slot' | 'value'>) => {
    const key = grouping.keyOf(row);
    let cell = groups.get(key);
    if (cell === undefined) groups.set(key, (cell = { slot: Number(row.slot), dim: plan.dim, value: key, partial: emptyPartial(), peak_reach: [], long_calls: 0 }));
    return cell;
  };
  const rowsIn = (table: 'call_rollups' | 'call_rollups_q', [a, b]: Range) => {
    let q = statsDb(db).selectFrom(table).where('dim', '=', plan.dim);
    if (plan.values !== null) q = q.where('value', 'in', plan.values);
    if (a !== undefined) q = q.where('slot', '>=', a);
    if (b !== undefined) q = q.where('slot', '<', b);
    return q;
  };
  // Peaks first: a long call sends the query to a scan before anything else is read.
  const peakRows = await rowsIn('call_rollups_q', [from, to])
    .select(['slot', 'value', 'peak_concurrency', 'peak_reach', 'long_calls'])
    .where('peak_concurrency', '>', 0)
    .execute();
  for (const row of peakRows) {
    if (Number(row.long_calls) > 0) return null;
    const cell = cellOf(row);
    const peak = reachAtJson(row, reachIndex(Number(row.slot), grouping.windowStart(row), QUARTER_GRAIN));
    if (peak > cell.partial.peak_concurrency) cell.partial.peak_concurrency = peak;
  }
  const columns = ['slot', 'value', 'duration_hist', 'tta_hist', ...ROLLUP_SUM_COLUMNS] as const;
  const reads = [
    ...hourRanges.map((r) => rowsIn('call_rollups', r).select(columns).execute()),
    ...quarterRanges.map((r) => rowsIn('call_rollups_q', r).select(columns).execute()),
  ];
  for (const rows of await Promise.all(reads)) {
    for (const row of rows) {
      const cell = cellOf(row);
      addRowSums(cell.partial, row);
      mergeHistogramJson(cell.partial.duration_hist, row.duration_hist);
      mergeHistogramJson(cell.partial.tta_hist, row.tta_hist);
    }
  }
  return [...groups.values()];
}

/**
 * Splits [from, to) (on whole quarter-hours) into the ranges read from hourly rows and
 * those read from quarter-hour rows: hours whole inside the window and not cut by a
 * boundary come from the hours; contiguous ranges are merged so each is one indexed read.
 */
export function splitByGrain(from: number | undefined, to: number | undefined, boundaries: readonly number[]): { hourRanges: Range[]; quarterRanges: Range[] } {
  const hourFrom = from === undefined ? undefined : Math.ceil(from / HOUR) * HOUR;
  const hourTo = to === undefined ? undefined : Math.floor(to / HOUR) * HOUR;
  if (hourFrom !== undefined && hourTo !== undefined && hourFrom >= hourTo) return { hourRanges: [], quarterRanges: [[from, to]] };
  const cut = new Set<number>();
  for (const b of boundaries) {
    if (b % HOUR === 0) continue;
    const hour = Math.floor(b / HOUR) * HOUR;
    if ((hourFrom === undefined || hour >= hourFrom) && (hourTo === undefined || hour < hourTo)) cut.add(hour);
  }
  if (cut.size > MAX_SPLIT_HOURS) return { hourRanges: [], quarterRanges: [[from, to]] };
  const quarterRanges: Range[] = [];
  const hourRanges: Range[] = [];
  if (from !== undefined && hourFrom !== undefined && from < hourFrom) quarterRanges.push([from, hourFrom]);
  let start: number | undefined = hourFrom;
  for (const hour of [...cut].sort((a, b) => a - b)) {
    if (start === undefined || start < hour) hourRanges.push([start, hour]);
    quarterRanges.push([hour, hour + HOUR]);
    start = hour + HOUR;
  }
  if (start === undefined || hourTo === undefined || start < hourTo) hourRanges.push([start, hourTo]);
  if (to !== undefined && hourTo !== undefined && hourTo < to) quarterRanges.push([hourTo, to]);
  return { hourRanges, quarterRanges: mergeRanges(quarterRanges) };
}

/** Adjacent ranges joined (sorted input). */
function mergeRanges(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of ranges.sort((a, b) => (a[0] ?? Number.NEGATIVE_INFINITY) - (b[0] ?? Number.NEGATIVE_INFINITY))) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] !== undefined && last[1] === r[0]) last[1] = r[1];
    else out.push([...r] as Range);
  }
  return out;
}
