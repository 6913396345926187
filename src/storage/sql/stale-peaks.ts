import { HOUR_GRAIN, peaksByCell, ROLLUP_SLOT_SEC, type SlotGrain, slotOf } from '../../domain/stats/rollup-cells.js';
import { rollupTableOf, staleTableOf } from './rollup-tables.js';
import { rowToStatsCall, STATS_CALL_COLUMNS } from './rollup-rows.js';
import type { RunSql } from './rollup-refresh.js';
import { type SqlSteps, sql } from './sql-steps.js';

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
export function stalePeakSql(grain: SlotGrain) {
  const stale = staleTableOf(grain);
  return {
    markStale: `INSERT INTO ${stale} (slot) VALUES (?) ON CONFLICT (slot) DO NOTHING`,
    selectStale: `SELECT slot FROM ${stale} WHERE slot >= ? AND slot < ? ORDER BY slot`,
    selectTalking: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND start_time > 0 AND end_time > start_time`,
    /**
     * The earlier hours' calls still talking after a time, through calls_spill:
     * setup_time in [a, b) (b on an hour), end_time > t.
     */
    selectSpill: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND ${SPILL_PREDICATE} AND end_time > ? AND end_time > start_time`,
    /** Calls of the same hour set up before a quarter and still talking after it starts (not in calls_spill when they end in their hour). */
    selectSameHour: `SELECT ${STATS_CALL_COLUMNS} FROM calls
    WHERE setup_time >= ? AND setup_time < ? AND start_time > 0 AND end_time > ? AND end_time > start_time`,
    updatePeak: `UPDATE ${rollupTableOf(grain)} SET peak_concurrency = ?, peak_reach = ?, long_calls = ? WHERE dim = ? AND slot = ? AND value = ?`,
    clearStale: `DELETE FROM ${stale} WHERE slot = ?`,
  } as const;
}

/** stalePeakSql of the hourly rollups. */
export const STALE_PEAK_SQL = stalePeakSql(HOUR_GRAIN);

/** The slot range a stats query reads: [from, to), unbounded ends widened. */
export function staleRange(from: number | undefined, to: number | undefined, grain: SlotGrain = HOUR_GRAIN): [number, number] {
  return [from === undefined ? 0 : slotOf(from, grain), to ?? Number.MAX_SAFE_INTEGER];
}

/**
 * The queries (statement, parameters) that find the calls one slot's peaks depend on: its
 * own talking calls, the earlier calls still talking after it starts (calls_spill for
 * those set up in earlier hours; for a quarter, the earlier quarters of its own hour too).
 */
function peakInputs(slot: number, grain: SlotGrain): Array<[string, number[]]> {
  const q = stalePeakSql(grain);
  const hour = slotOf(slot, HOUR_GRAIN);
  const since = slot - (grain.reachSlots - 1) * grain.sec;
  const inputs: Array<[string, number[]]> = [
    [q.selectTalking, [slot, slot + grain.sec]],
    [q.selectSpill, [since, hour, slot]],
  ];
  if (hour < slot) inputs.push([q.selectSameHour, [hour, slot, slot]]);
  return inputs;
}

/** The UPDATE parameters that make one slot's rows exact, from its own and spilling talking calls. */
function peakUpdates(slot: number, rows: Array<Record<string, unknown>>, grain: SlotGrain): unknown[][] {
  return peaksByCell(slot, rows.map(rowToStatsCall), grain).map(({ dim, value, reach, long_calls }) => [
    reach[0] ?? 0, JSON.stringify(reach), long_calls, dim, slot, value,
  ]);
}

/** Recomputes the exact peaks of one slot and clears its stale mark (synchronous runner: SQLite). */
export function refreshSlotPeaksSync(
  all: RunSql<Array<Record<string, unknown>>>,
  run: RunSql<unknown>,
  slot: number,
  grain: SlotGrain = HOUR_GRAIN,
): void {
  const rows = peakInputs(slot, grain).flatMap(([text, params]) => all(text, params));
  const q = stalePeakSql(grain);
  for (const params of peakUpdates(slot, rows, grain)) run(q.updatePeak, params);
  run(q.clearStale, [slot]);
}

/** The same with an async runner (PostgreSQL); the caller holds the slot's advisory lock. */
export async function refreshSlotPeaksAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>, slot: number, grain: SlotGrain = HOUR_GRAIN): Promise<void> {
  const rows: Array<Record<string, unknown>> = [];
  for (const [text, params] of peakInputs(slot, grain)) rows.push(...(await run(text, params)));
  const q = stalePeakSql(grain);
  for (const params of peakUpdates(slot, rows, grain)) await run(q.updatePeak, params);
  await run(q.clearStale, [slot]);
}

/** The same as SqlSteps, inside the caller's transaction (retention, which removes calls in the same one). */
export function* refreshSlotPeaksSteps(slot: number, grain: SlotGrain = HOUR_GRAIN): SqlSteps<void> {
  const rows: Array<Record<string, unknown>> = [];
  for (const [text, params] of peakInputs(slot, grain)) rows.push(...(yield sql(text, ...params)).rows);
  const q = stalePeakSql(grain);
  for (const params of peakUpdates(slot, rows, grain)) yield sql(q.updatePeak, ...params);
  yield sql(q.clearStale, slot);
}

/** The slots to mark stale after whole slots were recomputed from their own calls: each and the slots its calls may reach. */
export function slotsReachedFrom(slots: Iterable<number>, grain: SlotGrain = HOUR_GRAIN): number[] {
  const out = new Set<number>();
  for (const slot of slots) for (let i = 0; i < grain.reachSlots; i++) out.add(slot + i * grain.sec);
  return [...out].sort((a, b) => a - b);
}
