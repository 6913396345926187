import type { StatsCall } from '../../domain/stats/figures.js';
import { carrySpill, QUARTER_GRAIN, rollupCellsOf } from '../../domain/stats/rollup-cells.js';
import { cellToValues, rowToStatsCall } from './rollup-rows.js';
import { rollupSql, type RunSql } from './rollup-refresh.js';
import { rollupTableOf, staleTableOf } from './rollup-tables.js';

const DAY_SEC = 86_400;

/**
 * Builds the quarter-hour rollups (call_rollups_q) from every stored call, exact peaks
 * included: a day of calls at a time in setup order, each day's cells computed with the
 * earlier calls still talking in it carried forward (carrySpill), so nothing is left stale.
 * Migration 9 runs it on existing databases and `callevt seed` after a bulk load; its
 * memory is one day of calls.
 */
export const QUARTER_BUILD_SQL = {
  clear: [`DELETE FROM ${rollupTableOf(QUARTER_GRAIN)}`, `DELETE FROM ${staleTableOf(QUARTER_GRAIN)}`],
  // The covering index calls_setup_talk (setup_time, …) answers this without reading the calls.
  days: `SELECT DISTINCT setup_time - setup_time % ${DAY_SEC} AS day FROM calls ORDER BY day`,
  dayCalls: rollupSql(QUARTER_GRAIN).selectSlotCalls,
  insertRow: rollupSql(QUARTER_GRAIN).insertRow,
} as const;

/** The rows of one day (the calls set up in it) and the spill to carry to the next. */
function dayCells(calls: readonly StatsCall[], spill: readonly StatsCall[], day: number) {
  return { cells: rollupCellsOf(calls, spill, QUARTER_GRAIN), spill: carrySpill(spill, calls, day + DAY_SEC, QUARTER_GRAIN) };
}

/** The build with a synchronous runner (SQLite), inside the caller's transaction. Returns the days built. */
export function buildQuarterRollupsSync(all: RunSql<Array<Record<string, unknown>>>, run: RunSql<unknown>): number {
  for (const text of QUARTER_BUILD_SQL.clear) run(text, []);
  let spill: StatsCall[] = [];
  const days = all(QUARTER_BUILD_SQL.days, []).map((r) => Number(r.day));
  for (const day of days) {
    const built = dayCells(all(QUARTER_BUILD_SQL.dayCalls, [day, day + DAY_SEC]).map(rowToStatsCall), spill, day);
    for (const cell of built.cells) run(QUARTER_BUILD_SQL.insertRow, cellToValues(cell));
    spill = built.spill;
  }
  return days.length;
}

/** The same with an async runner (PostgreSQL), inside the caller's transaction. */
export async function buildQuarterRollupsAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>): Promise<number> {
  for (const text of QUARTER_BUILD_SQL.clear) await run(text, []);
  let spill: StatsCall[] = [];
  const days = (await run(QUARTER_BUILD_SQL.days, [])).map((r) => Number(r.day));
  for (const day of days) {
    const built = dayCells((await run(QUARTER_BUILD_SQL.dayCalls, [day, day + DAY_SEC])).map(rowToStatsCall), spill, day);
    for (const cell of built.cells) await run(QUARTER_BUILD_SQL.insertRow, cellToValues(cell));
    spill = built.spill;
  }
  return days.length;
}
