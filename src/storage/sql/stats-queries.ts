import type { Kysely } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import {
  breakdownValue,
  breakdownFromCalls,
  bucketIndex,
  breakdownFromCells,
  figuresFromCells,
  timeseriesFromCalls,
  timeseriesFromCells,
} from '../../domain/stats/compose-stats.js';
import type { StatsCall } from '../../domain/stats/figures.js';
import { emptyPartial } from '../../domain/stats/partial-figures.js';
import { reachIndex } from '../../domain/stats/peak-reach.js';
import { planStatsQuery, type RollupPlan } from '../../domain/stats/plan-stats-query.js';
import type { RollupCell } from '../../domain/stats/rollup-cells.js';
import type {
  BreakdownAnswer,
  BreakdownQuery,
  SummaryAnswer,
  SummaryQuery,
  TimeseriesAnswer,
  TimeseriesQuery,
} from '../../domain/stats/stats-query.js';
import { summarizeCalls } from '../../domain/stats/summarize-calls.js';
import { addRowDistributions, addRowSums, addRowToPartial, ROLLUP_SUM_COLUMNS, type RollupRow, statsDb } from './rollup-rows.js';
import { addEdgeCalls, scanEdges, selectStatsCalls, splitWindow } from './stats-edges.js';
import type { Database } from './schema-types.js';

/** The statistics read side, written once with Kysely for every SQL adapter. */
export interface StatsQueries {
  statsSummary(query: SummaryQuery): Promise<SummaryAnswer>;
  statsTimeseries(query: TimeseriesQuery): Promise<TimeseriesAnswer>;
  statsBreakdown(query: BreakdownQuery): Promise<BreakdownAnswer>;
}

/**
 * Answers from the rollups when planStatsQuery says they are exact for the query (a window
 * with ends off the hour: its whole hours from the rollups, the partial hours at its ends
 * scanned, see stats-edges.ts), otherwise by scanning the matching calls (the same code as
 * the brute-force reference).
 */
export function createStatsQueries(
  db: Kysely<Database>,
  options: { /** Makes rollup peaks in [from, to) exact before they are read (stale-peaks.ts). */ refreshStalePeaks?: (from?: number, to?: number) => Promise<void> } = {},
): StatsQueries {
  /**
   * The cells that answer a query, grouped by `keyOfRow` / `keyOfCall` (the same key for a
   * row and the calls it holds), or null when only a scan answers exactly.
   */
  const answerCells = async (
    filter: CallFilter,
    planOptions: Parameters<typeof planStatsQuery>[1],
    keys: {
      ofRow: (row: RollupRow) => string;
      ofCall: (call: StatsCall) => string | null;
      /** Where the window of a row's group starts, given where the rollups' part of the window starts. */
      windowStart: (row: RollupRow, middleFrom: number | undefined) => number | undefined;
      /** Groups by the row's value, or all rows in one group: then the database adds up what it can (readGroupedCells). */
      grouped?: 'value' | 'all';
    },
  ): Promise<RollupCell[] | null> => {
    const split = splitWindow(filter);
    const middle = split?.middle ?? filter;
    const plan = planStatsQuery(middle, planOptions);
    if (plan === null) return null;
    await options.refreshStalePeaks?.(middle.from, middle.to);
    const cells = keys.grouped === undefined
      ? await readCells(db, plan, middle, keys.ofRow, (row) => keys.windowStart(row, middle.from))
      : await readGroupedCells(db, plan, middle, keys.grouped);
    if (cells === null || split === null) return cells;
    return addEdgeCalls(cells, await scanEdges(db, split), keys.ofCall, plan.dim);
  };
  const everything = {
    ofRow: () => '',
    ofCall: () => '',
    windowStart: (_row: RollupRow, middleFrom: number | undefined) => middleFrom,
    grouped: 'all' as const,
  };
  return {
    async statsSummary({ filter, exact }) {
      const cells = exact === true ? null : await answerCells(filter, {}, everything);
      if (cells !== null) return { summary: figuresFromCells(cells), source: 'rollups' };
      return { summary: summarizeCalls(await scanCalls(db, filter)), source: 'calls' };
    },
    async statsTimeseries({ filter, exact, boundaries }) {
      const withBuckets = (figures: ReturnType<typeof timeseriesFromCells>) =>
        figures.map((f, i) => ({ bucket_start: boundaries[i] as number, ...f }));
      // Merge rows per bucket while reading: a bucket's cell has the bucket's start as its value.
      const bucketOf = (t: number) => boundaries[bucketIndex(boundaries, t)];
      const cells = exact === true ? null : await answerCells(filter, { boundaries }, {
        ofRow: (row) => String(bucketOf(Number(row.slot)) ?? 'outside'),
        ofCall: (call) => {
          const start = bucketOf(call.setup_time);
          return start === undefined ? null : String(start);
        },
        windowStart: (row, middleFrom) => Math.max(bucketOf(Number(row.slot)) ?? Number.NEGATIVE_INFINITY, middleFrom ?? Number.NEGATIVE_INFINITY),
      });
      if (cells !== null) {
        return { items: withBuckets(timeseriesFromCells(cells.filter((c) => c.value !== 'outside').map((c) => ({ ...c, slot: Number(c.value) })), boundaries)), source: 'rollups' };
      }
      return { items: withBuckets(timeseriesFromCalls(await scanCalls(db, filter), boundaries, filter.time_field)), source: 'calls' };
    },
    async statsBreakdown({ filter, exact, by, limit }) {
      const cells = exact === true ? null : await answerCells(filter, { by }, {
        ofRow: (row) => row.value,
        ofCall: (call) => String(breakdownValue(call, by)),
        windowStart: (_row, middleFrom) => middleFrom,
        grouped: 'value',
      });
      if (cells !== null) return { items: breakdownFromCells(cells, by === 'terminate', limit), source: 'rollups' };
      return { items: breakdownFromCalls(await scanCalls(db, filter), by, limit), source: 'calls' };
    },
  };
}

/**
 * The rollup cells of one dimension (some values) whose slots lie in [from, to), merged
 * while reading into one cell per `groupOf(row)` (its value is the group key). Each row's
 * peak is read at the reach of its window, which starts at `windowStartOf(row)` (undefined:
 * unbounded; src/domain/stats/peak-reach.ts). Null when a row holds a call too long for
 * the reach vectors: then only a scan gives the exact peak.
 */
export async function readCells(
  db: Kysely<Database>,
  plan: RollupPlan,
  filter: CallFilter,
  groupOf: (row: RollupRow) => string,
  windowStartOf: (row: RollupRow) => number | undefined,
): Promise<RollupCell[] | null> {
  let q = statsDb(db).selectFrom('call_rollups').selectAll().where('dim', '=', plan.dim);
  if (plan.values !== null) q = q.where('value', 'in', plan.values);
  if (filter.from !== undefined) q = q.where('slot', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('slot', '<', filter.to);
  const groups = new Map<string, RollupCell>();
  for (const row of await q.execute()) {
    if (Number(row.long_calls) > 0) return null;
    const key = groupOf(row);
    let cell = groups.get(key);
    if (cell === undefined) {
      groups.set(key, (cell = { slot: Number(row.slot), dim: plan.dim, value: key, partial: emptyPartial(), peak_reach: [], long_calls: 0 }));
    }
    const start = windowStartOf(row);
    addRowToPartial(cell.partial, row, reachIndex(Number(row.slot), start === Number.NEGATIVE_INFINITY ? undefined : start));
  }
  return [...groups.values()];
}

/**
 * readCells for a summary or a breakdown (one group, or one per value), reading less: the
 * database adds up the counts and sums per group, and only rows with talking or answered
 * calls are read one by one, for their histograms and peaks (each at the reach of the
 * window starting at filter.from). Null as readCells.
 */
export async function readGroupedCells(
  db: Kysely<Database>,
  plan: RollupPlan,
  filter: CallFilter,
  grouped: 'value' | 'all',
): Promise<RollupCell[] | null> {
  let base = statsDb(db).selectFrom('call_rollups').where('dim', '=', plan.dim);
  if (plan.values !== null) base = base.where('value', 'in', plan.values);
  if (filter.from !== undefined) base = base.where('slot', '>=', filter.from);
  if (filter.to !== undefined) base = base.where('slot', '<', filter.to);
  const sums = base.select((eb) => [
    ...ROLLUP_SUM_COLUMNS.map((c) => eb.fn.sum<number | string>(c).as(c)),
    eb.fn.sum<number | string>('long_calls').as('long_calls'),
    eb.fn.countAll<number | string>().as('rows'),
  ]);
  const sumRows = grouped === 'value'
    ? await sums.select('value').groupBy('value').execute()
    : (await sums.execute()).map((row) => ({ ...row, value: '' }));
  const groups = new Map<string, RollupCell>();
  for (const row of sumRows) {
    if (Number(row.rows) === 0) continue;
    if (Number(row.long_calls) > 0) return null;
    const cell: RollupCell = { slot: 0, dim: plan.dim, value: row.value, partial: emptyPartial(), peak_reach: [], long_calls: 0 };
    addRowSums(cell.partial, row);
    groups.set(row.value, cell);
  }
  const shaped = await base
    .select(['value', 'slot', 'peak_concurrency', 'peak_reach', 'duration_hist', 'tta_hist'])
    .where((eb) => eb.or([eb('peak_concurrency', '>', 0), eb('duration_hist', '<>', '[]')]))
    .execute();
  for (const row of shaped) {
    const cell = groups.get(grouped === 'value' ? row.value : '');
    if (cell !== undefined) addRowDistributions(cell.partial, row, reachIndex(Number(row.slot), filter.from));
  }
  return [...groups.values()];
}

/** Every call matching a filter, with the columns statistics read (the exact path). */
export function scanCalls(db: Kysely<Database>, filter: CallFilter): Promise<StatsCall[]> {
  return selectStatsCalls(db, filter);
}
