import { PEAK_REACH_HOURS } from '../../domain/stats/peak-reach.js';
import { peaksByCell, ROLLUP_SLOT_SEC } from '../../domain/stats/rollup-cells.js';
import { rowToStatsCall, STATS_CALL_COLUMNS } from './rollup-rows.js';
import type { RunSql } from './rollup-refresh.js';

/**
 * The predicate of the partial index calls_spill (migration 5): calls that talk past the
 * end of their setup hour. Queries repeat it word for word so that both databases use it.
 */
export const SPILL_PREDICATE = `start_time > 0 AND end_time > setup_time - setup_time % ${ROLLUP_SLOT_SEC} + ${ROLLUP_SLOT_SEC}`;

/**
 * Peak concurrency (the own peak and the reach vector of src/domain/stats/peak-reach.ts)
 * is the one rollup figure that new calls cannot simply be added to: it depends on every
 * call of the hour and on the earlier hours' calls still talking in it. Ingest therefore
 * raises it only to the new calls' own peak (a lower bound) and marks the hours the new
 * calls talked in stale, in O(1) per hour; the statistics read side recomputes the stale
 * hours it is about to read (see refreshStalePeaks). This keeps the ingest transaction's
 * cost independent of how many calls the hour already holds.
 * Portable SQL (SQLite and PostgreSQL), `?` placeholders.
 */
export const STALE_PEAK_SQL = {
  markStale: 'INSERT INTO rollup_stale_peaks (slot) VALUES (?) ON CONFLICT (slot) DO NOTHING',
  selectStale: 'SELECT slot FROM rollup_stale_peaks WHERE slot >= ? AND slot < ? ORDER BY slot',
  selectTalking: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND start_time > 0 AND end_time > start_time`,
  /** The earlier hours' calls still talking after the slot starts: [slot − (PEAK_REACH_HOURS − 1) h, slot), end_time > slot. */
  selectSpill: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND ${SPILL_PREDICATE} AND end_time > ? AND end_time > start_time`,
  updatePeak: 'UPDATE call_rollups SET peak_concurrency = ?, peak_reach = ?, long_calls = ? WHERE dim = ? AND slot = ? AND value = ?',
  clearStale: 'DELETE FROM rollup_stale_peaks WHERE slot = ?',
} as const;

/** The slot range a stats query reads: [from, to), unbounded ends widened. */
export function staleRange(from: number | undefined, to: number | undefined): [number, number] {
  return [from === undefined ? 0 : Math.floor(from / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC, to ?? Number.MAX_SAFE_INTEGER];
}

/** The parameters of selectSpill for one slot. */
function spillParams(slot: number): number[] {
  return [slot - (PEAK_REACH_HOURS - 1) * ROLLUP_SLOT_SEC, slot, slot];
}

/** The UPDATE parameters that make one slot's rows exact, from its own and spilling talking calls. */
function peakUpdates(slot: number, rows: Array<Record<string, unknown>>): unknown[][] {
  return peaksByCell(slot, rows.map(rowToStatsCall)).map(({ dim, value, reach, long_calls }) => [
    reach[0] ?? 0, JSON.stringify(reach), long_calls, dim, slot, value,
  ]);
}

/** Recomputes the exact peaks of one slot and clears its stale mark (synchronous runner: SQLite). */
export function refreshSlotPeaksSync(
  all: RunSql<Array<Record<string, unknown>>>,
  run: RunSql<unknown>,
  slot: number,
): void {
  const rows = [...all(STALE_PEAK_SQL.selectTalking, [slot, slot + ROLLUP_SLOT_SEC]), ...all(STALE_PEAK_SQL.selectSpill, spillParams(slot))];
  for (const params of peakUpdates(slot, rows)) run(STALE_PEAK_SQL.updatePeak, params);
  run(STALE_PEAK_SQL.clearStale, [slot]);
}

/** The same with an async runner (PostgreSQL); the caller holds the slot's advisory lock. */
export async function refreshSlotPeaksAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>, slot: number): Promise<void> {
  const rows = [
    ...(await run(STALE_PEAK_SQL.selectTalking, [slot, slot + ROLLUP_SLOT_SEC])),
    ...(await run(STALE_PEAK_SQL.selectSpill, spillParams(slot))),
  ];
  for (const params of peakUpdates(slot, rows)) await run(STALE_PEAK_SQL.updatePeak, params);
  await run(STALE_PEAK_SQL.clearStale, [slot]);
}

/** The slots to mark stale after whole slots were recomputed from their own calls: each and the hours its calls may reach. */
export function slotsReachedFrom(slots: Iterable<number>): number[] {
  const out = new Set<number>();
  for (const slot of slots) for (let i = 0; i < PEAK_REACH_HOURS; i++) out.add(slot + i * ROLLUP_SLOT_SEC);
  return [...out].sort((a, b) => a - b);
}
