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
import { planStatsQuery, } from '../../domain/stats/plan-stats-query.js';
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
import type { RollupRow, } from './rollup-rows.js';
import { readPieceCells, type RowGrouping, slotBounds } from './stats-pieces.js';
import { addEdgeCalls, scanEdges, selectStatsCalls, splitWindow } from './stats-edges.js';
import type { Database } from './schema-types.js';
import type { SqlDialectName } from './sql-steps.js';

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
    /** Lets the database reduce the far hours' peaks of a summary or breakdown (stats-pieces.ts); row by row without it. */
    dialect?: SqlDialectName;
    /** Makes rollup peaks of a grain (hours by default) in [from, to) exact before they are read (stale-peaks.ts). */
    refreshStalePeaks?: (from?: number, to?: number, grain?: SlotGrain) => Promise<void>;
    /** Rebuilds the stale coarse blocks of [from, to) before they are read (rollup-blocks.ts). */
    refreshStaleBlocks?: (from: number, to: number) => Promise<void>;
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
    // Window and buckets on whole UTC hours: peaks from the hours. Anything else on whole
    // quarter-hours (any zone, window ends off the hour): peaks from the quarter-hours, and
    // the sub-quarter ends scanned. Either way counts and histograms come from the fewest
    // rows that tile the window (stats-pieces.ts).
    const hourPlan = splitWindow(filter) === null ? planStatsQuery(filter, planOptions) : null;
    const grain = hourPlan !== null ? HOUR_GRAIN : QUARTER_GRAIN;
    const split = hourPlan !== null ? null : splitWindow(filter, QUARTER_GRAIN);
    const middle = split?.middle ?? filter;
    const plan = hourPlan ?? planStatsQuery(middle, { ...planOptions, grain: QUARTER_GRAIN });
    if (plan === null) return null;
    // Hourly peaks are read on both paths, quarter-hour peaks where an hour is cut.
    await options.refreshStalePeaks?.(middle.from, middle.to, HOUR_GRAIN);
    if (grain === QUARTER_GRAIN) await options.refreshStalePeaks?.(middle.from, middle.to, QUARTER_GRAIN);
    const bounds = await slotBounds(db, middle);
    if (bounds !== null) await options.refreshStaleBlocks?.(bounds[0], bounds[1]);
    const grouping: RowGrouping = {
      keyOf: rows === 'value' ? (row) => row.value : rows === 'all' ? () => '' : rows.keyOf,
      windowStart: typeof rows === 'string' ? () => middle.from : (row) => rows.windowStart(row, middle.from),
      boundaries: planOptions?.boundaries ?? [],
      ...(typeof rows === 'string' ? { sameWindowStart: { start: middle.from } } : {}),
    };
    const cells = await readPieceCells(db, plan, middle, grouping, options.dialect);
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
