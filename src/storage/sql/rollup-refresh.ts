import {
  HOUR_GRAIN,
  QUARTER_GRAIN,
  ROLLUP_DIMENSIONS,
  rollupCellsOf,
  ROLLUP_SLOT_SEC,
  type SlotGrain,
  slotOf,
} from '../../domain/stats/rollup-cells.js';
import type { StatsCall } from '../../domain/stats/figures.js';
import { cellToValues, ROLLUP_COLUMNS, rowToStatsCall, STATS_CALL_COLUMNS } from './rollup-rows.js';
import { BLOCK_SQL, blockMarks } from './rollup-blocks.js';
import { rollupTableOf } from './rollup-tables.js';
import { slotsReachedFrom, stalePeakSql } from './stale-peaks.js';

/**
 * Portable SQL (SQLite and PostgreSQL) that recomputes the rollups of whole slots from the
 * calls: after reclassification and by a rebuild, so they always equal what the calls say.
 * Placeholders are `?`; toDollarParams() turns them into PostgreSQL's `$n`.
 */
export function rollupSql(grain: SlotGrain) {
  const table = rollupTableOf(grain);
  return {
    selectSlotCalls: `SELECT ${STATS_CALL_COLUMNS} FROM calls WHERE setup_time >= ? AND setup_time < ?`,
    // Naming every dimension lets both databases use the (dim, slot, value) key instead of a full scan.
    deleteSlots: `DELETE FROM ${table} WHERE dim IN (${ROLLUP_DIMENSIONS.map((d) => `'${d}'`).join(', ')}) AND slot >= ? AND slot < ?`,
    insertRow: `INSERT INTO ${table} (${ROLLUP_COLUMNS.join(', ')}) VALUES (${ROLLUP_COLUMNS.map(() => '?').join(', ')})`,
    selectSlots: `SELECT DISTINCT (setup_time / ${grain.sec}) * ${grain.sec} AS slot FROM calls
    WHERE setup_time >= ? AND setup_time < ? ORDER BY slot`,
  } as const;
}

/** rollupSql of the hourly rollups. */
export const ROLLUP_SQL = rollupSql(HOUR_GRAIN);

/** Both grains, each hour refreshed with its four quarters. */
export const ROLLUP_GRAINS: readonly SlotGrain[] = [HOUR_GRAIN, QUARTER_GRAIN];

/**
 * Which rollups a write keeps: since migration 9 both grains and the coarse blocks' stale
 * marks (rollup-blocks.ts); migration 7's data step runs before those tables exist.
 */
export interface RollupTargets {
  grains: readonly SlotGrain[];
  blocks: boolean;
}
export const CURRENT_ROLLUPS: RollupTargets = { grains: ROLLUP_GRAINS, blocks: true };
export const HOURLY_ROLLUPS_ONLY: RollupTargets = { grains: [HOUR_GRAIN], blocks: false };

/** `?` placeholders as `$1, $2, …`. */
export function toDollarParams(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** The distinct slots of a set of setup times, sorted. */
export function slotsOf(setupTimes: Iterable<number>, grain: SlotGrain = HOUR_GRAIN): number[] {
  return [...new Set([...setupTimes].map((t) => slotOf(t, grain)))].sort((a, b) => a - b);
}

/** Runs one statement and returns its rows; each adapter supplies it (sync or async). */
export type RunSql<R> = (text: string, params: unknown[]) => R;

/**
 * The statements that rewrite one hour's rows of every grain from its calls (the hour
 * and its four quarters), and mark stale the slots its calls may reach: reach vectors
 * need the earlier slots' calls, and the read side makes them exact (stale-peaks.ts).
 */
function hourRewrite(hour: number, calls: readonly StatsCall[], targets: RollupTargets): Array<[string, unknown[]]> {
  const out: Array<[string, unknown[]]> = [];
  if (targets.blocks) for (const mark of blockMarks([hour])) out.push([BLOCK_SQL.markStale, mark]);
  for (const grain of targets.grains) {
    const q = rollupSql(grain);
    out.push([q.deleteSlots, [hour, hour + ROLLUP_SLOT_SEC]]);
    for (const cell of rollupCellsOf(calls, undefined, grain)) out.push([q.insertRow, cellToValues(cell)]);
    const slots = [];
    for (let s = hour; s < hour + ROLLUP_SLOT_SEC; s += grain.sec) slots.push(s);
    for (const stale of slotsReachedFrom(slots, grain)) out.push([stalePeakSql(grain).markStale, [stale]]);
  }
  return out;
}

/**
 * Recomputes one hour slot (and its quarters) with an async runner (PostgreSQL): the
 * caller holds a lock that serializes refreshes of the slot (see refreshRollupSlotsPostgres in postgres/rollups.ts).
 */
export async function refreshRollupSlotAsync(run: RunSql<Promise<Array<Record<string, unknown>>>>, slot: number, targets = CURRENT_ROLLUPS): Promise<void> {
  const rows = await run(ROLLUP_SQL.selectSlotCalls, [slot, slot + ROLLUP_SLOT_SEC]);
  for (const [text, params] of hourRewrite(slot, rows.map(rowToStatsCall), targets)) await run(text, params);
}

/** Recomputes one hour slot (and its quarters) with a synchronous runner (SQLite, inside the caller's transaction). */
export function refreshRollupSlotSync(
  all: RunSql<Array<Record<string, unknown>>>,
  runStatement: RunSql<unknown>,
  slot: number,
  /** Migration 7's data step runs before the quarter-hour table exists: hours only. */
  targets = CURRENT_ROLLUPS,
): void {
  const rows = all(ROLLUP_SQL.selectSlotCalls, [slot, slot + ROLLUP_SLOT_SEC]);
  for (const [text, params] of hourRewrite(slot, rows.map(rowToStatsCall), targets)) runStatement(text, params);
}
