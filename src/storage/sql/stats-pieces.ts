import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import { emptyPartial } from '../../domain/stats/partial-figures.js';
import { REACH_STEP_SEC, REACH_STEPS, reachIndex } from '../../domain/stats/peak-reach.js';
import type { RollupPlan } from '../../domain/stats/plan-stats-query.js';
import { HOUR_GRAIN, QUARTER_GRAIN, type RollupCell, slotOf } from '../../domain/stats/rollup-cells.js';
import { HistogramSum } from '../../domain/stats/seconds-histogram.js';
import { windowPieces } from '../../domain/stats/window-pieces.js';
import { addRowSums, reachAtJson, ROLLUP_SUM_COLUMNS, type RollupRow, type StatsDatabase, statsDb } from './rollup-rows.js';
import type { Database } from './schema-types.js';
import type { SqlDialectName } from './sql-steps.js';

const HOUR = HOUR_GRAIN.sec;

/** How a query groups rollup rows (by a key of the row: its value, a bucket start, or one group) and where each group's window starts (for its peak). */
export interface RowGrouping {
  keyOf: (row: Pick<RollupRow, 'slot' | 'value'>) => string;
  windowStart: (row: Pick<RollupRow, 'slot' | 'value'>) => number | undefined;
  /** Bucket boundaries (time series), or none. */
  boundaries: readonly number[];
  /**
   * Set when every group's window starts at the same point (summary, breakdown): the hours
   * a day or more after it read their reach vectors' last element, so the database gives
   * each value's largest (farPeaksSql) instead of one row per hour and value.
   */
  sameWindowStart?: { start: number | undefined };
}


/**
 * A row's reach at the last step (reachAtJson at REACH_STEPS − 1: the stored vector is
 * trimmed, so its last element), or its own peak when the vector is empty.
 */
function lastReachSql(dialect: SqlDialectName) {
  return dialect === 'sqlite'
    ? sql<number>`coalesce(json_extract(peak_reach, '$[#-1]'), peak_concurrency)`
    : sql<number>`coalesce((peak_reach::jsonb ->> -1)::bigint, peak_concurrency)`;
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
  dialect?: SqlDialectName,
): Promise<RollupCell[] | null> {
  // Each group's histograms are summed from their JSON text and handed to its cell at the end.
  const groups = new Map<string, { cell: RollupCell; durations: HistogramSum; ttas: HistogramSum }>();
  const groupOf = (row: Pick<RollupRow, 'slot' | 'value'>) => {
    const key = grouping.keyOf(row);
    let group = groups.get(key);
    if (group === undefined) {
      const cell: RollupCell = { slot: Number(row.slot), dim: plan.dim, value: key, partial: emptyPartial(), peak_reach: [], long_calls: 0 };
      groups.set(key, (group = { cell, durations: new HistogramSum(), ttas: new HistogramSum() }));
    }
    return group;
  };
  const cellOf = (row: Pick<RollupRow, 'slot' | 'value'>) => groupOf(row).cell;
  const sdb = statsDb(db);
  // An open end: where the rollups start or end.
  const bounds = await slotBounds(db, middle);
  if (bounds === null) return [];
  const pieces = windowPieces(bounds[0], bounds[1], grouping.boundaries);
  // One query per table (and block width): consecutive pieces as ranges, one index search
  // per range joined with UNION ALL (an OR of the ranges inside their overall bounds made
  // SQLite read every row between them: a month of Asia/Kolkata days read 2,880 quarter-hour
  // rows with their histograms for the 120 it needed).
  const rangeQuery = (table: 'call_rollups_q' | 'call_rollups' | 'call_rollup_blocks', [from, to]: [number, number]) => {
    let q = sdb.selectFrom(table as 'call_rollups').where('dim', '=', plan.dim).where('slot', '>=', from).where('slot', '<', to);
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
  // With one window start for all groups, the hours whose reach index is the last
  // (REACH_STEPS − 1 quarter-hours or more after the start) are read as one largest last
  // element per value. No bucket boundary cuts those hours: there are none.
  const same = dialect !== undefined && grouping.boundaries.length === 0 ? grouping.sameWindowStart : undefined;
  const farFrom =
    same === undefined
      ? hourTo
      : same.start === undefined
        ? hourFrom
        : Math.min(hourTo, Math.max(hourFrom, Math.ceil((same.start + (REACH_STEPS - 1) * REACH_STEP_SEC) / HOUR) * HOUR));
  const peakReads = [
    readRanges(hourFrom < farFrom ? [[hourFrom, farFrom]] : [], (r) => rangeQuery('call_rollups', r).select(peakColumns).where('peak_concurrency', '>', 0)),
    readRanges(runs(pieces.quarters, QUARTER_GRAIN.sec), (r) => rangeQuery('call_rollups_q', r).select(peakColumns).where('peak_concurrency', '>', 0)),
  ];
  const farPeaks =
    farFrom < hourTo && dialect !== undefined
      ? rangeQuery('call_rollups', [farFrom, hourTo])
          .select((eb) => ['value', eb.fn.max(lastReachSql(dialect)).as('peak'), eb.fn.max('long_calls').as('long_calls')])
          .where('peak_concurrency', '>', 0)
          .groupBy('value')
          .execute()
      : undefined;
  const [[hourPeaks, quarterPeaks], farRows] = await Promise.all([Promise.all(peakReads), farPeaks ?? Promise.resolve([])]);
  for (const row of farRows ?? []) {
    if (Number(row.long_calls) > 0) return null;
    const cell = cellOf({ slot: farFrom, value: row.value });
    const peak = Number(row.peak);
    if (peak > cell.partial.peak_concurrency) cell.partial.peak_concurrency = peak;
  }
  for (const row of [...(hourPeaks ?? []).filter((r) => !cut.has(Number(r.slot))), ...(quarterPeaks ?? [])]) {
    if (Number(row.long_calls) > 0) return null;
    const cell = cellOf(row);
    const peak = reachAtJson(row, reachIndex(Number(row.slot), grouping.windowStart(row)));
    if (peak > cell.partial.peak_concurrency) cell.partial.peak_concurrency = peak;
  }
  // Counts, sums and histograms from the pieces.
  const columns = ['slot', 'value', 'duration_hist', 'tta_hist', ...ROLLUP_SUM_COLUMNS] as const;
  const reads = [
    readRanges(runs(pieces.quarters, QUARTER_GRAIN.sec), (r) => rangeQuery('call_rollups_q', r).select(columns)),
    readRanges(runs(pieces.hours, HOUR), (r) => rangeQuery('call_rollups', r).select(columns)),
    ...[...pieces.blocks].map(([width, starts]) =>
      readRanges(runs(starts, width), (r) => rangeQuery('call_rollup_blocks', r).where(sql.ref('width'), '=', width).select(columns)),
    ),
  ];
  for (const rows of await Promise.all(reads)) {
    for (const row of rows as Array<Pick<RollupRow, 'slot' | 'value' | 'duration_hist' | 'tta_hist' | (typeof ROLLUP_SUM_COLUMNS)[number]>>) {
      const group = groupOf(row);
      addRowSums(group.cell.partial, row);
      group.durations.addJson(row.duration_hist);
      group.ttas.addJson(row.tta_hist);
    }
  }
  return [...groups.values()].map(({ cell, durations, ttas }) => {
    durations.addTo(cell.partial.duration_hist);
    ttas.addTo(cell.partial.tta_hist);
    return cell;
  });
}

/** At most this many ranges in one UNION ALL (SQLite allows 500 SELECTs in one compound SELECT). */
const RANGES_PER_QUERY = 200;

/** The rows of one query per range, joined with UNION ALL, RANGES_PER_QUERY ranges per statement. */
async function readRanges<O>(
  ranges: ReadonlyArray<[number, number]>,
  queryOf: (range: [number, number]) => SelectQueryBuilder<StatsDatabase, 'call_rollups', O>,
): Promise<O[]> {
  const statements: Array<Promise<O[]>> = [];
  for (let i = 0; i < ranges.length; i += RANGES_PER_QUERY) {
    const [first, ...rest] = ranges.slice(i, i + RANGES_PER_QUERY).map(queryOf);
    if (first !== undefined) statements.push(rest.reduce((q, next) => q.unionAll(next), first).execute());
  }
  return (await Promise.all(statements)).flat();
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
