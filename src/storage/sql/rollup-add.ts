import type { StatsCall } from '../../domain/stats/figures.js';
import { maxReach, reachHoursOf } from '../../domain/stats/peak-reach.js';
import { HOUR_GRAIN, type RollupCell, rollupCellsOf, type SlotGrain } from '../../domain/stats/rollup-cells.js';
import { rollupTableOf } from './rollup-tables.js';
import { addRowToPartial, cellToValues, ROLLUP_COLUMNS, type RollupRow, rowReach } from './rollup-rows.js';

/** Portable SQL of the incremental ingest path (`?` placeholders): read a row, write it back. */
export function rollupAddSql(grain: SlotGrain) {
  const table = rollupTableOf(grain);
  return {
    selectRow: `SELECT * FROM ${table} WHERE dim = ? AND slot = ? AND value = ?`,
    upsertRow: `INSERT INTO ${table} (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (dim, slot, value) DO UPDATE SET ${ROLLUP_COLUMNS.slice(3).map((c) => `${c} = excluded.${c}`).join(', ')}`,
  } as const;
}

/** rollupAddSql of the hourly rollups. */
export const ROLLUP_ADD_SQL = rollupAddSql(HOUR_GRAIN);

/**
 * The hour slots whose peaks these calls can change, sorted: for each call that talked, its
 * setup hour and the later hours it still talked in (their rows' reach vectors count it),
 * at most PEAK_REACH_HOURS of them (src/domain/stats/peak-reach.ts).
 */
export function talkingSlots(calls: readonly StatsCall[], grain: SlotGrain = HOUR_GRAIN): number[] {
  const slots = new Set<number>();
  for (const c of calls) for (const h of reachHoursOf(c, grain)) slots.add(h);
  return [...slots].sort((a, b) => a - b);
}

/**
 * The rows to write for new calls: each cell of the new calls merged with the row already
 * stored (if any). Counts, sums and histograms add up exactly; the peaks (own peak and
 * reach vector) become the larger of the two, lower bounds until the hour's stale mark is
 * refreshed.
 */
export function mergeNewCells(calls: readonly StatsCall[], existing: (cell: RollupCell) => RollupRow | undefined, grain: SlotGrain = HOUR_GRAIN): RollupCell[] {
  const cells = rollupCellsOf(calls, undefined, grain);
  for (const cell of cells) {
    const row = existing(cell);
    if (row === undefined) continue;
    addRowToPartial(cell.partial, row);
    cell.peak_reach = maxReach(rowReach(row), [cell.partial.peak_concurrency]);
    cell.long_calls += Number(row.long_calls);
  }
  return cells;
}

export { cellToValues };
