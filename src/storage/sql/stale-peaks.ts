import { peaksByCell, ROLLUP_SLOT_SEC } from '../../domain/stats/rollup-cells.js';
import { rowToStatsCall, STATS_CALL_COLUMNS } from './rollup-rows.js';
import type { RunSql } from './rollup-refresh.js';

/**
 * Peak concurrency is the one rollup figure that new calls cannot simply be added to:
 * it depends on every call of the hour. Ingest therefore raises it only to the new calls'
 * own peak (a lower bound) and marks the hour stale, in O(1); the statistics read side
 * recomputes the stale hours it is about to read (see refreshStalePeaks). This keeps the
 * ingest transaction's cost independent of how many calls the hour already holds.
 * Portable SQL (SQLite and PostgreSQL), `?` placeholders.
 */
export const STALE_PEAK_SQL = {
  markStale: 'INSERT INTO rollup_stale_peaks (slot) VALUES (?) ON CONFLICT (slot) DO NOTHING',
  selectStale: 'SELECT slot FROM rollup_stale_peaks WHERE slot >= ? AND slot < ? ORDER BY slot',
  selectTalking: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND start_time > 0 AND end_time > start_time`,
  updatePeak: 'UPDATE call_rollups SET peak_concurrency = ? WHERE dim = ? AND slot = ? AND value = ?',
  clearStale: 'DELETE FROM rollup_stale_peaks WHERE slot = ?',
} as const;

/** The slot range a stats query reads: [from, to), unbounded ends widened. */
export function staleRange(from: number | undefined, to: number | undefined): [number, number] {
  return [from === undefined ? 0 : Math.floor(from / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC, to ?? Number.MAX_SAFE_INTEGER];
}

/** Recomputes the exact peaks of one slot and clears its stale mark (synchronous runner: SQLite). */
export function refreshSlotPeaksSync(
  all: RunSql<Array<Record<string, unknown>>>,
  run: RunSql<unknown>,
  slot: number,
): void {
  const talking = all(STALE_PEAK_SQL.selectTalking, [slot, slot + ROLLUP_SLOT_SEC]).map(rowToStatsCall);
  for (const { dim, value, peak } of peaksByCell(talking)) run(STALE_PEAK_SQL.updatePeak, [peak, dim, slot, value]);
  run(STALE_PEAK_SQL.clearStale, [slot]);
}

/** The same with an async runner (PostgreSQL); the caller holds the slot's advisory lock. */
export async function refreshSlotPeaksAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>, slot: number): Promise<void> {
  const talking = (await run(STALE_PEAK_SQL.selectTalking, [slot, slot + ROLLUP_SLOT_SEC])).map(rowToStatsCall);
  for (const { dim, value, peak } of peaksByCell(talking)) await run(STALE_PEAK_SQL.updatePeak, [peak, dim, slot, value]);
  await run(STALE_PEAK_SQL.clearStale, [slot]);
}
