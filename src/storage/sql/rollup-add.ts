import type { StatsCall } from '../../domain/stats/figures.js';
import { type RollupCell, rollupCellsOf } from '../../domain/stats/rollup-cells.js';
import { slotsOf } from './rollup-refresh.js';
import { addRowToPartial, cellToValues, ROLLUP_COLUMNS, type RollupRow } from './rollup-rows.js';

/** Portable SQL of the incremental ingest path (`?` placeholders): read a row, write it back. */
export const ROLLUP_ADD_SQL = {
  selectRow: 'SELECT * FROM call_rollups WHERE dim = ? AND slot = ? AND value = ?',
  upsertRow: `INSERT INTO call_rollups (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (dim, slot, value) DO UPDATE SET ${ROLLUP_COLUMNS.slice(3).map((c) => `${c} = excluded.${c}`).join(', ')}`,
} as const;

/** The hour slots holding at least one of these calls that talked (their peaks go stale). */
export function talkingSlots(calls: readonly StatsCall[]): number[] {
  return slotsOf(calls.filter((c) => c.start_time > 0 && c.end_time > c.start_time).map((c) => c.setup_time));
}

/**
 * The rows to write for new calls: each cell of the new calls merged with the row already
 * stored (if any). Counts, sums and histograms add up exactly; peak concurrency becomes the
 * larger of the two peaks, a lower bound until the hour's stale mark is refreshed.
 */
export function mergeNewCells(calls: readonly StatsCall[], existing: (cell: RollupCell) => RollupRow | undefined): RollupCell[] {
  const cells = rollupCellsOf(calls);
  for (const cell of cells) {
    const row = existing(cell);
    if (row !== undefined) addRowToPartial(cell.partial, row);
  }
  return cells;
}

export { cellToValues };
