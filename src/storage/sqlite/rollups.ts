import type { StatsCall } from '../../domain/stats/figures.js';
import { PEAK_REACH_HOURS } from '../../domain/stats/peak-reach.js';
import { ROLLUP_SLOT_SEC, type RollupCell } from '../../domain/stats/rollup-cells.js';
import { mergeNewCells, ROLLUP_ADD_SQL, talkingSlots } from '../sql/rollup-add.js';
import { refreshSlotPeaksSync, STALE_PEAK_SQL, staleRange } from '../sql/stale-peaks.js';
import { cellToValues, type RollupRow } from '../sql/rollup-rows.js';
import { refreshRollupSlotSync, ROLLUP_SQL, slotsOf } from '../sql/rollup-refresh.js';
import type { SqliteReclassifyHook } from './reclassify.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';

/** Slots recomputed per transaction by a rebuild, so that ingest waits only briefly. */
export const REBUILD_SLOTS_PER_TRANSACTION = 24;

/** The SQLite side of the statistics rollups: refresh at ingest, rebuild, bulk write. */
export interface SqliteRollups {
  /** Recomputes these slots; call inside the transaction that changed their calls. */
  refreshSlots(setupTimes: Iterable<number>): void;
  /**
   * Adds calls just inserted (in this transaction) to the rollups: counts, sums and
   * histograms merged into the touched rows, peak concurrency marked stale (see addCallsToRollupsSqlite).
   */
  addCalls(calls: readonly StatsCall[]): void;
  /** Makes the peaks of the stale hours in [from, to) exact, in one transaction. */
  refreshStalePeaks(from?: number, to?: number): void;
  /**
   * The same in transactions of REBUILD_SLOTS_PER_TRANSACTION hours that yield to ingest
   * in between (after migration 5 every old hour is stale once); the stats read side calls it first.
   */
  refreshStalePeaksInBatches(from?: number, to?: number): Promise<void>;
  /** Recomputes every slot holding a call set up in [from, to); returns how many slots. */
  rebuild(range?: { from?: number; to?: number }): Promise<number>;
  /** Writes cells computed in memory (seed); the caller's transaction holds them. */
  insertCells(cells: readonly RollupCell[]): void;
  /** For createSqliteReclassifier: keeps rollups exact when stored outcomes change. */
  reclassifyHook: SqliteReclassifyHook;
}

/** Prepares the rollup statements on one SQLite connection. */
export function createSqliteRollups(db: SqliteDatabase): SqliteRollups {
  const statements = new Map<string, SqliteStatement>();
  const statement = (text: string): SqliteStatement => {
    let s = statements.get(text);
    if (s === undefined) statements.set(text, (s = db.prepare(text)));
    return s;
  };
  const all = (text: string, params: unknown[]) => statement(text).all(...params) as Array<Record<string, unknown>>;
  const run = (text: string, params: unknown[]) => statement(text).run(...params);
  const refreshSlots = (setupTimes: Iterable<number>) => {
    for (const slot of slotsOf(setupTimes)) refreshRollupSlotSync(all, run, slot);
  };
  const refreshBatch = db.transaction((slots: number[]) => {
    for (const slot of slots) refreshRollupSlotSync(all, run, slot);
  });
  const refreshStale = db.transaction((from: number | undefined, to: number | undefined) => {
    for (const row of all(STALE_PEAK_SQL.selectStale, staleRange(from, to))) refreshSlotPeaksSync(all, run, Number(row.slot));
  });
  const refreshStaleSlots = db.transaction((slots: number[]) => {
    for (const slot of slots) refreshSlotPeaksSync(all, run, slot);
  });
  const clearRange = db.transaction((from: number, to: number) => run(ROLLUP_SQL.deleteSlots, [from, to]));
  const refreshStalePeaksInBatches = async (from?: number, to?: number): Promise<void> => {
    const stale = (all(STALE_PEAK_SQL.selectStale, staleRange(from, to)) as Array<{ slot: number }>).map((r) => Number(r.slot));
    // Many stale hours (after migration 5, or a rebuild): in batches first, yielding to ingest.
    if (stale.length > REBUILD_SLOTS_PER_TRANSACTION) await inBatches(stale, refreshStaleSlots);
    // One transaction that also catches marks made meanwhile (usually the live hours only).
    refreshStale.immediate(from, to);
  };

  return {
    refreshSlots,
    addCalls: (calls) => addCallsToRollupsSqlite(all, run, calls),
    refreshStalePeaks: (from, to) => refreshStale.immediate(from, to),
    refreshStalePeaksInBatches,
    async rebuild(range = {}) {
      const from = Math.floor((range.from ?? 0) / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
      const to = range.to ?? Number.MAX_SAFE_INTEGER;
      const slots = (all(ROLLUP_SQL.selectSlots, [from, to]) as Array<{ slot: number }>).map((r) => Number(r.slot));
      clearRange.immediate(from, to);
      await inBatches(slots, refreshBatch);
      // Reach vectors need the neighbouring hours: make the rebuilt range's peaks exact now, not on the first read.
      await refreshStalePeaksInBatches(from, to === Number.MAX_SAFE_INTEGER ? to : to + PEAK_REACH_HOURS * ROLLUP_SLOT_SEC);
      return slots.length;
    },
    insertCells(cells) {
      for (const cell of cells) run(ROLLUP_SQL.insertRow, cellToValues(cell));
    },
    reclassifyHook: (_db, changes) => {
      refreshSlots(changes.map((c) => c.call.setup_time));
    },
  };
}

/** Runs `transaction` on the slots REBUILD_SLOTS_PER_TRANSACTION at a time, letting ingest in between. */
async function inBatches(slots: readonly number[], transaction: { immediate(slots: number[]): unknown }): Promise<void> {
  for (let i = 0; i < slots.length; i += REBUILD_SLOTS_PER_TRANSACTION) {
    transaction.immediate(slots.slice(i, i + REBUILD_SLOTS_PER_TRANSACTION));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

type All = (text: string, params: unknown[]) => Array<Record<string, unknown>>;
type Run = (text: string, params: unknown[]) => unknown;

/**
 * The incremental ingest path: each touched row is read, merged with the new calls'
 * figures and written back. Its cost depends on the batch, never on how many calls the
 * hour already holds: peak concurrency is only raised to the new calls' own peak and the
 * hours they talked in marked stale, to be made exact by the read side (see src/storage/sql/stale-peaks.ts).
 */
export function addCallsToRollupsSqlite(all: All, run: Run, calls: readonly StatsCall[]): void {
  if (calls.length === 0) return;
  for (const slot of talkingSlots(calls)) run(STALE_PEAK_SQL.markStale, [slot]);
  const existing = (cell: RollupCell) => all(ROLLUP_ADD_SQL.selectRow, [cell.dim, cell.slot, cell.value])[0] as RollupRow | undefined;
  for (const cell of mergeNewCells(calls, existing)) run(ROLLUP_ADD_SQL.upsertRow, cellToValues(cell));
}
