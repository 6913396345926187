import type { Kysely } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import {
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
import { applyCallFilter } from './call-filter-sql.js';
import { addRowToPartial, type RollupRow, rowToStatsCall, statsDb } from './rollup-rows.js';
import type { Database } from './schema-types.js';

/** The statistics read side, written once with Kysely for every SQL adapter. */
export interface StatsQueries {
  statsSummary(query: SummaryQuery): Promise<SummaryAnswer>;
  statsTimeseries(query: TimeseriesQuery): Promise<TimeseriesAnswer>;
  statsBreakdown(query: BreakdownQuery): Promise<BreakdownAnswer>;
}

/**
 * Answers from the rollups when planStatsQuery says they are exact for the query,
 * otherwise by scanning the matching calls (the same code as the brute-force reference).
 */
export function createStatsQueries(
  db: Kysely<Database>,
  options: { /** Makes rollup peaks in [from, to) exact before they are read (stale-peaks.ts). */ refreshStalePeaks?: (from?: number, to?: number) => Promise<void> } = {},
): StatsQueries {
  const readFreshCells: typeof readCells = async (db, plan, filter, groupOf, windowStartOf) => {
    await options.refreshStalePeaks?.(filter.from, filter.to);
    return readCells(db, plan, filter, groupOf, windowStartOf);
  };
  return {
    async statsSummary({ filter, exact }) {
      const plan = exact === true ? null : planStatsQuery(filter);
      const cells = plan === null ? null : await readFreshCells(db, plan, filter, () => '', () => filter.from);
      if (cells !== null) return { summary: figuresFromCells(cells), source: 'rollups' };
      return { summary: summarizeCalls(await scanCalls(db, filter)), source: 'calls' };
    },
    async statsTimeseries({ filter, exact, boundaries }) {
      const plan = exact === true ? null : planStatsQuery(filter, { boundaries });
      const withBuckets = (figures: ReturnType<typeof timeseriesFromCells>) =>
        figures.map((f, i) => ({ bucket_start: boundaries[i] as number, ...f }));
      // Merge rows per bucket while reading; a bucket's cell carries the bucket's start as its slot.
      const bucketStart = (row: RollupRow) => boundaries[bucketIndex(boundaries, Number(row.slot))];
      const cells = plan === null ? null : await readFreshCells(db, plan, filter, (row) => String(bucketStart(row) ?? 'outside'),
        (row) => Math.max(bucketStart(row) ?? Number.NEGATIVE_INFINITY, filter.from ?? Number.NEGATIVE_INFINITY));
      if (cells !== null) {
        return { items: withBuckets(timeseriesFromCells(cells.filter((c) => c.value !== 'outside').map((c) => ({ ...c, slot: Number(c.value) })), boundaries)), source: 'rollups' };
      }
      return { items: withBuckets(timeseriesFromCalls(await scanCalls(db, filter), boundaries, filter.time_field)), source: 'calls' };
    },
    async statsBreakdown({ filter, exact, by, limit }) {
      const plan = exact === true ? null : planStatsQuery(filter, { by });
      const cells = plan === null ? null : await readFreshCells(db, plan, filter, (row) => row.value, () => filter.from);
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

/** Every call matching a filter, with the columns statistics read (the exact path). */
export async function scanCalls(db: Kysely<Database>, filter: CallFilter): Promise<StatsCall[]> {
  const q = db.selectFrom('calls').select([
    'setup_time', 'start_time', 'end_time', 'duration', 'billing_sec', 'outcome', 'reason', 'terminate', 'ended_by',
    'type', 'from_service_id', 'to_service_id', 'from_user_id', 'to_user_id',
  ]);
  return (await applyCallFilter(q, filter).execute()).map((row) => rowToStatsCall(row));
}
