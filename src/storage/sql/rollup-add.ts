import type { StatsCall } from '../../domain/stats/figures.js';
import { peakConcurrency } from '../../domain/stats/peak-concurrency.js';
import { dimensionValue, ROLLUP_SLOT_SEC, type RollupCell, rollupCellsOf, slotOf } from '../../domain/stats/rollup-cells.js';
import { addRowToPartial, cellToValues, ROLLUP_COLUMNS, type RollupRow, STATS_CALL_COLUMNS } from './rollup-rows.js';

/**
 * Portable SQL of the incremental ingest path (`?` placeholders): read a row, write it
 * back (an upsert both databases understand), and read the calls of one hour that talk
 * during a span (index calls_setup_talk).
 */
export const ROLLUP_ADD_SQL = {
  selectRow: 'SELECT * FROM call_rollups WHERE dim = ? AND slot = ? AND value = ?',
  upsertRow: `INSERT INTO call_rollups (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})
    ON CONFLICT (dim, slot, value) DO UPDATE SET ${ROLLUP_COLUMNS.slice(3).map((c) => `${c} = excluded.${c}`).join(', ')}`,
  selectTalking: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND end_time > ? AND start_time < ? AND start_time > 0`,
} as const;

/** Per hour slot, the span [from, to) in which the new calls talk (hours without talking calls are absent). */
export function talkSpans(calls: readonly StatsCall[]): Map<number, { from: number; to: number }> {
  const spans = new Map<number, { from: number; to: number }>();
  for (const c of calls) {
    if (c.start_time <= 0 || c.end_time <= c.start_time) continue;
    const slot = slotOf(c.setup_time);
    const span = spans.get(slot);
    if (span === undefined) spans.set(slot, { from: c.start_time, to: c.end_time });
    else {
      span.from = Math.min(span.from, c.start_time);
      span.to = Math.max(span.to, c.end_time);
    }
  }
  return spans;
}

/** Parameters of ROLLUP_ADD_SQL.selectTalking for one slot's span. */
export function talkingParams(slot: number, span: { from: number; to: number }): unknown[] {
  return [slot, slot + ROLLUP_SLOT_SEC, span.from, span.to];
}

/**
 * The rows to write for new calls: each cell of the new calls merged with the row already
 * stored (if any), its peak raised to the peak of the stored calls talking during the new
 * calls' span. Exact: a row's peak can only change at instants inside a new call's
 * [start, end), and every call talking then is in `overlapping`.
 */
export function mergeNewCells(
  calls: readonly StatsCall[],
  existing: (cell: RollupCell) => RollupRow | undefined,
  overlapping: ReadonlyMap<number, readonly StatsCall[]>,
): RollupCell[] {
  const cells = rollupCellsOf(calls);
  for (const cell of cells) {
    const row = existing(cell);
    if (row !== undefined) addRowToPartial(cell.partial, row);
    const around = overlapping.get(cell.slot);
    if (around !== undefined) {
      const mine = around.filter((c) => dimensionValue(c, cell.dim) === cell.value);
      cell.partial.peak_concurrency = Math.max(cell.partial.peak_concurrency, peakConcurrency(mine));
    }
  }
  return cells;
}

export { cellToValues };
