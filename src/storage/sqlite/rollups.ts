import type { StatsCall } from '../../domain/stats/figures.js';
import { ROLLUP_SLOT_SEC, type RollupCell } from '../../domain/stats/rollup-cells.js';
import { mergeNewCells, ROLLUP_ADD_SQL, talkingParams, talkSpans } from '../sql/rollup-add.js';
import { cellToValues, type RollupRow, rowToStatsCall } from '../sql/rollup-rows.js';
import { refreshRollupSlotSync, ROLLUP_SQL, slotsOf } from '../sql/rollup-refresh.js';
import type { ReclassifyHook } from './reclassify.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';

/** Slots recomputed per transaction by a rebuild, so that ingest waits only briefly. */
export const REBUILD_SLOTS_PER_TRANSACTION = 24;

/** The SQLite side of the statistics rollups: refresh at ingest, rebuild, bulk write. */
export interface SqliteRollups {
  /** Recomputes these slots; call inside the transaction that changed their calls. */
  refreshSlots(setupTimes: Iterable<number>): void;
  /**
   * Adds calls just inserted (in this transaction) to the rollups: counts, sums and
   * histograms merged into the touched rows, peak concurrency exact (see addCallsToRollups).
   */
  addCalls(calls: readonly StatsCall[]): void;
  /** Recomputes every slot holding a call set up in [from, to); returns how many slots. */
  rebuild(range?: { from?: number; to?: number }): Promise<number>;
  /** Writes cells computed in memory (seed); the caller's transaction holds them. */
  insertCells(cells: readonly RollupCell[]): void;
  /** For createReclassifier: keeps rollups exact when stored outcomes change. */
  reclassifyHook: ReclassifyHook;
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
  const clearRange = db.transaction((from: number, to: number) => run(ROLLUP_SQL.deleteSlots, [from, to]));

  return {
    refreshSlots,
    addCalls: (calls) => addCallsToRollups(all, run, calls),
    async rebuild(range = {}) {
      const from = Math.floor((range.from ?? 0) / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
      const to = range.to ?? Number.MAX_SAFE_INTEGER;
      const slots = (all(ROLLUP_SQL.selectSlots, [from, to]) as Array<{ slot: number }>).map((r) => Number(r.slot));
      clearRange.immediate(from, to);
      for (let i = 0; i < slots.length; i += REBUILD_SLOTS_PER_TRANSACTION) {
        refreshBatch.immediate(slots.slice(i, i + REBUILD_SLOTS_PER_TRANSACTION));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
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

type All = (text: string, params: unknown[]) => Array<Record<string, unknown>>;
type Run = (text: string, params: unknown[]) => unknown;

/**
 * The incremental ingest path, exact like a recomputation but reading only what changes:
 * each touched row is read, merged with the new calls' figures and written back, and
 * peak concurrency is raised from the calls of the hour that talk during the new calls
 * (see mergeNewCells in src/storage/sql/rollup-add.ts).
 */
export function addCallsToRollups(all: All, run: Run, calls: readonly StatsCall[]): void {
  if (calls.length === 0) return;
  const overlapping = new Map<number, StatsCall[]>();
  for (const [slot, span] of talkSpans(calls)) {
    overlapping.set(slot, all(ROLLUP_ADD_SQL.selectTalking, talkingParams(slot, span)).map(rowToStatsCall));
  }
  const existing = (cell: RollupCell) => all(ROLLUP_ADD_SQL.selectRow, [cell.dim, cell.slot, cell.value])[0] as RollupRow | undefined;
  for (const cell of mergeNewCells(calls, existing, overlapping)) run(ROLLUP_ADD_SQL.upsertRow, cellToValues(cell));
}
