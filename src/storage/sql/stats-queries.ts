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
import { HOUR_GRAIN, QUARTER_GRAIN, type RollupCell, type SlotGrain } from '../../domain/stats/rollup-cells.js';
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
import { readMixedCells } from './stats-quarters.js';
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
  options: {
    /** Makes rollup peaks of a grain (hours by default) in [from, to) exact before they are read (stale-peaks.ts). */
    refreshStalePeaks?: (from?: number, to?: number, grain?: SlotGrain) => Promise<void>;
  } = {},
): StatsQueries {
  /**
   * The cells that answer a query, or null when only a scan answers exactly. `rows` says how
   * rows are grouped: by their value or all into one (the database then adds up what it
   * can: readGroupedCells), or by a key of the row, each read at the reach of its group's
   * window (readCells, given where the rollups' part of the window starts). `keyOfCall`
   * groups scanned edge calls the same way.
   */
  const answerCells = async (
    filter: CallFilter,
    planOptions: Parameters<typeof planStatsQuery>[1],
    rows:
      | 'value'
      | 'all'
      | {
          keyOf: (row: Pick<RollupRow, 'slot' | 'value'>) => string;
          windowStart: (row: Pick<RollupRow, 'slot' | 'value'>, middleFrom: number | undefined) => number | undefined;
        },
    keyOfCall: (call: StatsCall) => string | null,
  ): Promise<RollupCell[] | null> => {
    // Window and buckets on whole UTC hours: the hourly rollups alone.
    const hourPlan = splitWindow(filter) === null ? planStatsQuery(filter, planOptions) : null;
    if (hourPlan !== null) {
      await options.refreshStalePeaks?.(filter.from, filter.to, HOUR_GRAIN);
      return typeof rows === 'string'
        ? await readGroupedCells(db, hourPlan, filter, rows)
        : await readCells(db, hourPlan, filter, rows.keyOf, (row) => rows.windowStart(row, filter.from));
    }
    // Anything else on whole quarter-hours (any zone, window ends off the hour): the
    // quarter-hour rollups where needed, and the sub-quarter ends scanned (stats-quarters.ts).
    const split = splitWindow(filter, QUARTER_GRAIN);
    const middle = split?.middle ?? filter;
    const plan = planStatsQuery(middle, { ...planOptions, grain: QUARTER_GRAIN });
    if (plan === null) return null;
    await options.refreshStalePeaks?.(middle.from, middle.to, QUARTER_GRAIN);
    const keyOf = rows === 'value' ? (row: Pick<RollupRow, 'slot' | 'value'>) => row.value : rows === 'all' ? () => '' : rows.keyOf;
    const windowStart = typeof rows === 'string' ? () => middle.from : (row: Pick<RollupRow, 'slot' | 'value'>) => rows.windowStart(row, middle.from);
    const cells = await readMixedCells(db, plan, middle, { keyOf, windowStart, boundaries: planOptions?.boundaries ?? [] });
    if (cells === null || split === null) return cells;
    return addEdgeCalls(cells, await scanEdges(db, split, QUARTER_GRAIN), keyOfCall, plan.dim);
  };
  return {
    async statsSummary({ filter, exact }) {
      const cells = exact === true ? null : await answerCells(filter, {}, 'all', () => '');
      if (cells !== null) return { summary: figuresFromCells(cells), source: 'rollups' };
      return { summary: summarizeCalls(await selectStatsCalls(db, filter)), source: 'calls' };
    },
    async statsTimeseries({ filter, exact, boundaries }) {
      const withBuckets = (figures: ReturnType<typeof timeseriesFromCells>) =>
        figures.map((f, i) => ({ bucket_start: boundaries[i] as number, ...f }));
      // Merge rows per bucket while reading: a bucket's cell has the bucket's start as its value.
      const bucketOf = (t: number) => boundaries[bucketIndex(boundaries, t)];
      const cells = exact === true ? null : await answerCells(filter, { boundaries }, {
        keyOf: (row) => String(bucketOf(Number(row.slot)) ?? 'outside'),
        windowStart: (row, middleFrom) => Math.max(bucketOf(Number(row.slot)) ?? Number.NEGATIVE_INFINITY, middleFrom ?? Number.NEGATIVE_INFINITY),
      }, (call) => {
        const start = bucketOf(call.setup_time);
        return start === undefined ? null : String(start);
      });
      if (cells !== null) {
        return { items: withBuckets(timeseriesFromCells(cells.filter((c) => c.value !== 'outside').map((c) => ({ ...c, slot: Number(c.value) })), boundaries)), source: 'rollups' };
      }
      return { items: withBuckets(timeseriesFromCalls(await selectStatsCalls(db, filter), boundaries, filter.time_field)), source: 'calls' };
    },
    async statsBreakdown({ filter, exact, by, limit }) {
      const cells = exact === true ? null : await answerCells(filter, { by }, 'value', (call) => String(breakdownValue(call, by)));
      if (cells !== null) return { items: breakdownFromCells(cells, by === 'terminate', limit), source: 'rollups' };
      return { items: breakdownFromCalls(await selectStatsCalls(db, filter), by, limit), source: 'calls' };
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
    addRowToPartial(cell.partial, row, reachIndex(Number(row.slot), windowStartOf(row)));
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
