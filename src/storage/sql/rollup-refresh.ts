import { ROLLUP_DIMENSIONS, rollupCellsOf, ROLLUP_SLOT_SEC, slotOf } from '../../domain/stats/rollup-cells.js';
import { cellToValues, ROLLUP_COLUMNS, rowToStatsCall, STATS_CALL_COLUMNS } from './rollup-rows.js';
import { slotsReachedFrom, STALE_PEAK_SQL } from './stale-peaks.js';

/**
 * Portable SQL (SQLite and PostgreSQL) that recomputes the rollups of whole hour slots
 * from the calls: the one way rollups are written at ingest, after reclassification and
 * by a rebuild, so they always equal what the calls say. Placeholders are `?`;
 * toDollarParams() turns them into PostgreSQL's `$n`.
 */
export const ROLLUP_SQL = {
  selectSlotCalls: `SELECT ${STATS_CALL_COLUMNS} FROM calls WHERE setup_time >= ? AND setup_time < ?`,
  // Naming every dimension lets both databases use the (dim, slot, value) key instead of a full scan.
  deleteSlots: `DELETE FROM call_rollups WHERE dim IN (${ROLLUP_DIMENSIONS.map((d) => `'${d}'`).join(', ')}) AND slot >= ? AND slot < ?`,
  insertRow: `INSERT INTO call_rollups (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})`,
  selectSlots: `SELECT DISTINCT (setup_time / ${ROLLUP_SLOT_SEC}) * ${ROLLUP_SLOT_SEC} AS slot FROM calls
    WHERE setup_time >= ? AND setup_time < ? ORDER BY slot`,
} as const;

/** `?` placeholders as `$1, $2, …`. */
export function toDollarParams(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** The distinct slots of a set of setup times, sorted. */
export function slotsOf(setupTimes: Iterable<number>): number[] {
  return [...new Set([...setupTimes].map(slotOf))].sort((a, b) => a - b);
}

/** Runs one statement and returns its rows; each adapter supplies it (sync or async). */
export type RunSql<R> = (text: string, params: unknown[]) => R;

/**
 * Recomputes one slot with an async runner (PostgreSQL): the caller holds a lock that
 * serializes refreshes of the slot (see refreshRollupSlotsPostgres in postgres/rollups.ts).
 */
export async function refreshRollupSlotAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>, slot: number): Promise<void> {
  const rows = await run(ROLLUP_SQL.selectSlotCalls, [slot, slot + ROLLUP_SLOT_SEC]);
  await run(ROLLUP_SQL.deleteSlots, [slot, slot + ROLLUP_SLOT_SEC]);
  for (const cell of rollupCellsOf(rows.map(rowToStatsCall))) await run(ROLLUP_SQL.insertRow, cellToValues(cell));
  // Reach vectors need the earlier hours' calls: the read side makes them exact (stale-peaks.ts).
  for (const stale of slotsReachedFrom([slot])) await run(STALE_PEAK_SQL.markStale, [stale]);
}

/** Recomputes one slot with a synchronous runner (SQLite, inside the caller's transaction). */
export function refreshRollupSlotSync(
  all: RunSql<Array<Record<string, unknown>>>,
  runStatement: RunSql<unknown>,
  slot: number,
): void {
  const rows = all(ROLLUP_SQL.selectSlotCalls, [slot, slot + ROLLUP_SLOT_SEC]);
  runStatement(ROLLUP_SQL.deleteSlots, [slot, slot + ROLLUP_SLOT_SEC]);
  for (const cell of rollupCellsOf(rows.map(rowToStatsCall))) runStatement(ROLLUP_SQL.insertRow, cellToValues(cell));
  for (const stale of slotsReachedFrom([slot])) runStatement(STALE_PEAK_SQL.markStale, [stale]);
}
