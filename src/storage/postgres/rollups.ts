import { PEAK_REACH_HOURS } from '../../domain/stats/peak-reach.js';
import { HOUR_GRAIN, ROLLUP_DIMENSIONS, ROLLUP_SLOT_SEC, type SlotGrain, slotOf } from '../../domain/stats/rollup-cells.js';
import type { StatsCall } from '../../domain/stats/figures.js';
import type { RollupCell } from '../../domain/stats/rollup-cells.js';
import { cellToValues, mergeNewCells, rollupAddSql, talkingSlots } from '../sql/rollup-add.js';
import { BLOCK_SQL, blockMarks, refreshStaleBlocksAsync, staleBlockRange } from '../sql/rollup-blocks.js';
import { ROLLUP_LOCK_CLASS, rollupTableOf } from '../sql/rollup-tables.js';
import { refreshSlotPeaksAsync, slotsReachedFrom, stalePeakSql, staleRange } from '../sql/stale-peaks.js';
import { CURRENT_ROLLUPS, refreshRollupSlotAsync, ROLLUP_GRAINS, ROLLUP_SQL, rollupSql, slotsOf, toDollarParams } from '../sql/rollup-refresh.js';
import type { RollupRow } from '../sql/rollup-rows.js';

/** Every rollup dimension, as a PostgreSQL text[] parameter. */
const ROLLUP_DIMS_ARRAY = [...ROLLUP_DIMENSIONS];

/** What the PostgreSQL rollup code needs of a pg client: one query at a time. */
export interface PgQuerier {
  query(text: string, params: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

/**
 * Recomputes the slots of these setup times inside the caller's transaction. Several
 * receivers may share the database: a transaction-scoped advisory lock per slot (taken in
 * slot order, after every insert, so no cycle) makes each refresh see the calls that the
 * others committed, and READ COMMITTED gives each statement a fresh snapshot.
 */
export async function refreshRollupSlotsPostgres(client: PgQuerier, setupTimes: Iterable<number>, targets = CURRENT_ROLLUPS): Promise<void> {
  const slots = slotsOf(setupTimes);
  // The refresh marks the later hours its calls may reach stale: lock them too, all in slot order.
  await lockSlots(client, slotsReachedFrom(slots));
  for (const slot of slots) {
    await refreshRollupSlotAsync(async (text, params) => (await client.query(toDollarParams(text), params)).rows, slot, targets);
  }
}

/**
 * Takes the advisory locks of the hours holding these slots (transaction-scoped), in the
 * ascending order every transaction uses. One lock per hour covers its quarters too.
 */
async function lockSlots(client: PgQuerier, sortedSlots: readonly number[]): Promise<void> {
  const hours = [...new Set(sortedSlots.map((s) => slotOf(s)))];
  for (const hour of hours) await client.query('SELECT pg_advisory_xact_lock($1, $2)', [ROLLUP_LOCK_CLASS, hour / ROLLUP_SLOT_SEC]);
}

/** A pool-like source of clients (pg.Pool). */
export interface PgPoolLike {
  connect(): Promise<PgQuerier & { release(error?: Error): void }>;
}

/** Recomputes every slot holding a call set up in [from, to), one short transaction per slot. */
export async function rebuildRollupsPostgres(pool: PgPoolLike, range: { from?: number; to?: number } = {}): Promise<number> {
  const from = Math.floor((range.from ?? 0) / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
  const to = range.to ?? Number.MAX_SAFE_INTEGER;
  const client = await pool.connect();
  let slots: number[];
  try {
    slots = (await client.query(toDollarParams(ROLLUP_SQL.selectSlots), [from, to])).rows.map((r) => Number(r.slot));
    // Blocks over the range are rebuilt from what the refresh leaves (an hour may be left without rows).
    await client.query(toDollarParams(BLOCK_SQL.markExisting), [staleBlockRange(from, from)[0], to]);
    for (const grain of ROLLUP_GRAINS) await client.query(toDollarParams(rollupSql(grain).deleteSlots), [from, to]);
    for (const slot of slots) await inTransaction(client, () => refreshRollupSlotsPostgres(client, [slot]));
  } finally {
    client.release();
  }
  // Reach vectors need the neighbouring hours: make the rebuilt range's peaks exact now, not on the first read.
  const staleTo = to === Number.MAX_SAFE_INTEGER ? to : to + PEAK_REACH_HOURS * ROLLUP_SLOT_SEC;
  for (const grain of ROLLUP_GRAINS) await refreshStalePeaksPostgres(pool, from, staleTo, grain);
  return slots.length;
}

/**
 * The incremental ingest path on PostgreSQL (like addCallsToRollupsSqlite on SQLite), inside the
 * caller's transaction: advisory locks on the touched slots (in slot order, after every
 * insert) make each read-merge-write of a row see the rows and calls others committed.
 */
export async function addCallsToRollupsPostgres(client: PgQuerier, calls: readonly StatsCall[]): Promise<void> {
  if (calls.length === 0) return;
  // Peak concurrency: raised to the new calls' own peak and the hours they talked in marked
  // stale (stale-peaks.ts); those hours are locked too, so that no refresh of theirs runs meanwhile.
  // One lock per hour covers its quarters: the hours of every slot either grain touches.
  const setupSlots = slotsOf(calls.map((c) => c.setup_time));
  const staleSlots = talkingSlots(calls);
  await lockSlots(client, [...new Set([...setupSlots, ...staleSlots])].sort((a, b) => a - b));
  for (const grain of ROLLUP_GRAINS) await addCallsOfGrain(client, calls, grain);
  // Last, after the rows: a block rebuild that cleared its mark meanwhile makes this insert wait for it (rollup-blocks.ts).
  for (const mark of blockMarks(setupSlots)) await client.query(toDollarParams(BLOCK_SQL.markStale), mark);
}

/** Rebuilds the stale coarse blocks of [from, to) (rollup-blocks.ts), one short transaction per block. */
export async function refreshStaleBlocksPostgres(pool: PgPoolLike, from: number, to: number): Promise<void> {
  const client = await pool.connect();
  try {
    await refreshStaleBlocksAsync(async (text, params) => (await client.query(toDollarParams(text), params)).rows, (work) => inTransaction(client, work), from, to);
  } finally {
    client.release();
  }
}

/** addCallsToRollupsPostgres for one grain, under the caller's locks. */
async function addCallsOfGrain(client: PgQuerier, calls: readonly StatsCall[], grain: SlotGrain): Promise<void> {
  for (const slot of talkingSlots(calls, grain)) await client.query(toDollarParams(stalePeakSql(grain).markStale), [slot]);
  const existing = new Map<string, RollupRow>();
  const key = (dim: string, slot: number, value: string) => `${dim}\u0000${slot}\u0000${value}`;
  const select = toDollarParams(`SELECT * FROM ${rollupTableOf(grain)} WHERE slot = ? AND dim IN (SELECT unnest(?::text[]))`);
  for (const slot of slotsOf(calls.map((c) => c.setup_time), grain)) {
    const rows = (await client.query(select, [slot, ROLLUP_DIMS_ARRAY])).rows as unknown as RollupRow[];
    for (const row of rows) existing.set(key(row.dim, Number(row.slot), row.value), row);
  }
  const cells = mergeNewCells(calls, (cell: RollupCell) => existing.get(key(cell.dim, cell.slot, cell.value)), grain);
  const upsert = toDollarParams(rollupAddSql(grain).upsertRow);
  for (const cell of cells) await client.query(upsert, cellToValues(cell));
}

/** Makes the peaks of the stale hours in [from, to) exact, one short transaction per hour under its lock. */
export async function refreshStalePeaksPostgres(pool: PgPoolLike, from?: number, to?: number, grain: SlotGrain = HOUR_GRAIN): Promise<void> {
  const client = await pool.connect();
  try {
    const stale = (await client.query(toDollarParams(stalePeakSql(grain).selectStale), staleRange(from, to, grain))).rows;
    for (const { slot } of stale) {
      await inTransaction(client, async () => {
        await lockSlots(client, [Number(slot)]);
        await refreshSlotPeaksAsync(async (text, params) => (await client.query(toDollarParams(text), params)).rows, Number(slot), grain);
      });
    }
  } finally {
    client.release();
  }
}

/** Runs `work` in one transaction on the client: committed when it resolves, rolled back when it throws. */
async function inTransaction(client: PgQuerier, work: () => Promise<void>): Promise<void> {
  await client.query('BEGIN', []);
  try {
    await work();
    await client.query('COMMIT', []);
  } catch (error) {
    await client.query('ROLLBACK', []);
    throw error;
  }
}
