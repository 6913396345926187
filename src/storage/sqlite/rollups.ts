import type { StatsCall } from '../../domain/stats/figures.js';
import { PEAK_REACH_HOURS } from '../../domain/stats/peak-reach.js';
import { HOUR_GRAIN, ROLLUP_SLOT_SEC, type RollupCell, type SlotGrain } from '../../domain/stats/rollup-cells.js';
import { buildQuarterRollupsSync } from '../sql/quarter-rollup-build.js';
import { mergeNewCells, rollupAddSql, talkingSlots } from '../sql/rollup-add.js';
import { refreshSlotPeaksSync, stalePeakSql, staleRange } from '../sql/stale-peaks.js';
import { cellToValues, type RollupRow } from '../sql/rollup-rows.js';
import { BLOCK_SQL, blockMarks, buildBlocksSync, refreshStaleBlocksSync, staleBlockRange } from '../sql/rollup-blocks.js';
import { CURRENT_ROLLUPS, refreshRollupSlotSync, ROLLUP_GRAINS, ROLLUP_SQL, rollupSql, type RollupTargets, slotsOf } from '../sql/rollup-refresh.js';
import { restAfter } from '../sql/retention-pacing.js';
import type { SqliteReclassifyHook } from './reclassify.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';
import { withoutFsync } from './without-fsync.js';

/** Slots recomputed per transaction by a rebuild, so that ingest waits only briefly. */
export const REBUILD_SLOTS_PER_TRANSACTION = 24;

/** The SQLite side of the statistics rollups: refresh at ingest, rebuild, bulk write. */
export interface SqliteRollups {
  /** Recomputes these hours (and their quarters); call inside the transaction that changed their calls. */
  refreshSlots(setupTimes: Iterable<number>): void;
  /**
   * Adds calls just inserted (in this transaction) to the rollups of both grains: counts,
   * sums and histograms merged into the touched rows, peak concurrency marked stale (see addCallsToRollupsSqlite).
   */
  addCalls(calls: readonly StatsCall[], targets?: RollupTargets): void;
  /** Makes the peaks of the stale slots of a grain (hours by default) in [from, to) exact, in one transaction. */
  refreshStalePeaks(from?: number, to?: number, grain?: SlotGrain): void;
  /**
   * The same in transactions of REBUILD_SLOTS_PER_TRANSACTION slots that yield to ingest
   * in between (after migration 5 every old hour is stale once); the stats read side calls it first.
   */
  refreshStalePeaksInBatches(from?: number, to?: number, grain?: SlotGrain): Promise<void>;
  /**
   * Makes every stale slot of a grain before `to` exact (retention, before calls go), in
   * transactions that each stop after `budgetMs` (at least one slot each), yielding to
   * ingest in between (as long as each took: retention-pacing.ts), until no slot before `to` is stale.
   * Each commits without waiting for the disk; `afterEach` runs after each commit (the
   * retention job writes the WAL to disk there, off the event loop).
   */
  refreshStalePeaksPaced(to: number, grain: SlotGrain, budgetMs: number, afterEach?: () => Promise<void>): Promise<void>;
  /** Recomputes every slot holding a call set up in [from, to); returns how many hour slots. */
  rebuild(range?: { from?: number; to?: number }): Promise<number>;
  /** Writes hourly cells computed in memory (seed); the caller's transaction holds them. */
  insertCells(cells: readonly RollupCell[]): void;
  /** Builds the quarter-hour rollups from every call and the coarse blocks from the hours, in one transaction (seed, after a bulk load). */
  buildQuarters(): void;
  /** Rebuilds the stale coarse blocks of [from, to) (rollup-blocks.ts), in one transaction. */
  refreshStaleBlocks(from: number, to: number): void;
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
  const refreshStale = db.transaction((from: number | undefined, to: number | undefined, grain: SlotGrain) => {
    for (const row of all(stalePeakSql(grain).selectStale, staleRange(from, to, grain))) refreshSlotPeaksSync(all, run, Number(row.slot), grain);
  });
  const refreshStaleSlots = (grain: SlotGrain) =>
    db.transaction((slots: number[]) => {
      for (const slot of slots) refreshSlotPeaksSync(all, run, slot, grain);
    });
  const refreshStaleByGrain = new Map(ROLLUP_GRAINS.map((g) => [g.name, refreshStaleSlots(g)]));
  const clearRange = db.transaction((from: number, to: number) => {
    // Blocks over the range are rebuilt from what the refresh leaves (an hour may be left without rows).
    run(BLOCK_SQL.markExisting, [staleBlockRange(from, from)[0], to]);
    for (const grain of ROLLUP_GRAINS) run(rollupSql(grain).deleteSlots, [from, to]);
  });
  const refreshBlocks = db.transaction((from: number, to: number) => refreshStaleBlocksSync(all, run, from, to));
  const refreshStalePeaksInBatches = async (from?: number, to?: number, grain: SlotGrain = HOUR_GRAIN): Promise<void> => {
    const stale = (all(stalePeakSql(grain).selectStale, staleRange(from, to, grain)) as Array<{ slot: number }>).map((r) => Number(r.slot));
    // Many stale slots (after migration 5, or a rebuild): in batches first, yielding to ingest.
    if (stale.length > REBUILD_SLOTS_PER_TRANSACTION) await inBatches(stale, refreshStaleByGrain.get(grain.name) as ReturnType<typeof refreshStaleSlots>);
    // One transaction that also catches marks made meanwhile (usually the live slots only).
    refreshStale.immediate(from, to, grain);
  };
  // Refreshes stale slots from `start` until the budget is spent; returns how many.
  const refreshWithin = (grain: SlotGrain) =>
    db.transaction((slots: readonly number[], start: number, budgetMs: number): number => {
      const began = performance.now();
      let i = start;
      while (i < slots.length) {
        refreshSlotPeaksSync(all, run, slots[i] as number, grain);
        i++;
        if (performance.now() - began >= budgetMs) break;
      }
      return i - start;
    });
  const refreshWithinByGrain = new Map(ROLLUP_GRAINS.map((g) => [g.name, refreshWithin(g)]));
  const refreshStalePeaksPaced = async (to: number, grain: SlotGrain, budgetMs: number, afterEach?: () => Promise<void>): Promise<void> => {
    const refresh = refreshWithinByGrain.get(grain.name) as ReturnType<typeof refreshWithin>;
    // Again until none is left: ingest may mark an old slot while the job yields.
    for (;;) {
      const stale = (all(stalePeakSql(grain).selectStale, staleRange(undefined, to, grain)) as Array<{ slot: number }>).map((r) => Number(r.slot));
      if (stale.length === 0) return;
      for (let i = 0; i < stale.length;) {
        const began = performance.now();
        // Without waiting for the disk (a refresh a crash loses is marked stale still): the
        // fsync would hold the event loop; afterEach writes it to disk off the loop.
        i += withoutFsync(db, () => refresh.immediate(stale, i, budgetMs));
        const took = performance.now() - began;
        await afterEach?.();
        await restAfter(took);
      }
    }
  };

  return {
    refreshSlots,
    refreshStalePeaksPaced,
    addCalls: (calls, targets) => addCallsToRollupsSqlite(all, run, calls, targets),
    refreshStalePeaks: (from, to, grain = HOUR_GRAIN) => refreshStale.immediate(from, to, grain),
    refreshStalePeaksInBatches,
    async rebuild(range = {}) {
      const from = Math.floor((range.from ?? 0) / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
      const to = range.to ?? Number.MAX_SAFE_INTEGER;
      const slots = (all(ROLLUP_SQL.selectSlots, [from, to]) as Array<{ slot: number }>).map((r) => Number(r.slot));
      clearRange.immediate(from, to);
      await inBatches(slots, refreshBatch);
      // Reach vectors need the neighbouring slots: make the rebuilt range's peaks exact now, not on the first read.
      const staleTo = to === Number.MAX_SAFE_INTEGER ? to : to + PEAK_REACH_HOURS * ROLLUP_SLOT_SEC;
      for (const grain of ROLLUP_GRAINS) await refreshStalePeaksInBatches(from, staleTo, grain);
      return slots.length;
    },
    insertCells(cells) {
      for (const cell of cells) run(ROLLUP_SQL.insertRow, cellToValues(cell));
    },
    buildQuarters: db.transaction(() => {
      buildQuarterRollupsSync(all, run);
      buildBlocksSync(all, run);
    }),
    refreshStaleBlocks: (from, to) => {
      refreshBlocks.immediate(from, to);
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
 * The incremental ingest path, for each grain (hours, then quarters): each touched row is
 * read, merged with the new calls' figures and written back. Its cost depends on the batch,
 * never on how many calls the slot already holds: peak concurrency is only raised to the
 * new calls' own peak and the slots they talked in marked stale, to be made exact by the
 * read side (see src/storage/sql/stale-peaks.ts).
 */
export function addCallsToRollupsSqlite(all: All, run: Run, calls: readonly StatsCall[], targets: RollupTargets = CURRENT_ROLLUPS): void {
  if (calls.length === 0) return;
  if (targets.blocks) for (const mark of blockMarks(slotsOf(calls.map((c) => c.setup_time)))) run(BLOCK_SQL.markStale, mark);
  for (const grain of targets.grains) {
    const add = rollupAddSql(grain);
    const markStale = stalePeakSql(grain).markStale;
    for (const slot of talkingSlots(calls, grain)) run(markStale, [slot]);
    const existing = (cell: RollupCell) => all(add.selectRow, [cell.dim, cell.slot, cell.value])[0] as RollupRow | undefined;
    for (const cell of mergeNewCells(calls, existing, grain)) run(add.upsertRow, cellToValues(cell));
  }
}

