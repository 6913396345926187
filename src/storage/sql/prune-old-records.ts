import type { Kysely } from 'kysely';
import { ROLLUP_SLOT_SEC } from '../../domain/stats/rollup-cells.js';
import type { Database } from './schema-types.js';

/** Rows deleted per transaction: short enough that ingest never waits long on a prune. */
export const DEFAULT_PRUNE_BATCH_ROWS = 5_000;

export interface PruneOptions {
  /** Unix seconds: calls set up before this, and requests received before it, are deleted. */
  before: number;
  batchSize?: number;
  /** Called after each committed batch with the table and its running total. */
  onProgress?: (table: PrunedTable, deleted: number) => void;
}

export type PrunedTable = 'calls' | 'call_conflicts' | 'raw_requests' | 'quarantine';

/** How many rows each table lost. Statistics rollups are never pruned: they keep their history. */
export type PruneResult = Record<PrunedTable, number>;

/**
 * Deletes calls (by setup_time, with their conflicting versions), raw requests and
 * quarantine entries (by received_at) older than `before`, in batches of one short
 * transaction each, selected through indexes. Written once for SQLite and PostgreSQL.
 * Calls are pruned up to the whole UTC hour at or before `before` only, so that no
 * statistics rollup hour is left with part of its calls (a refresh would then shrink it).
 */
export async function pruneOldRecords(db: Kysely<Database>, options: PruneOptions): Promise<PruneResult> {
  const batch = options.batchSize ?? DEFAULT_PRUNE_BATCH_ROWS;
  const beforeMs = options.before * 1000;
  const callsBefore = Math.floor(options.before / ROLLUP_SLOT_SEC) * ROLLUP_SLOT_SEC;
  const result: PruneResult = { calls: 0, call_conflicts: 0, raw_requests: 0, quarantine: 0 };
  const progress = (table: PrunedTable, n: number) => {
    result[table] += n;
    options.onProgress?.(table, result[table]);
  };

  // Calls by the calls_setup_time index; their conflicts by the (sid, content_hash) key.
  for (;;) {
    const deleted = await db.transaction().execute(async (tx) => {
      const rows = await tx.selectFrom('calls').select(['id', 'sid']).where('setup_time', '<', callsBefore)
        .orderBy('setup_time').limit(batch).execute();
      if (rows.length === 0) return { calls: 0, conflicts: 0 };
      const conflicts = await tx.deleteFrom('call_conflicts').where('sid', 'in', rows.map((r) => r.sid)).executeTakeFirst();
      await tx.deleteFrom('calls').where('id', 'in', rows.map((r) => r.id)).execute();
      return { calls: rows.length, conflicts: Number(conflicts.numDeletedRows) };
    });
    if (deleted.calls > 0) progress('calls', deleted.calls);
    if (deleted.conflicts > 0) progress('call_conflicts', deleted.conflicts);
    if (deleted.calls < batch) break;
  }

  // Raw requests by the raw_requests_received_at index.
  for (;;) {
    const ids = await db.selectFrom('raw_requests').select('id').where('received_at', '<', beforeMs)
      .orderBy('received_at').limit(batch).execute();
    if (ids.length > 0) {
      await db.deleteFrom('raw_requests').where('id', 'in', ids.map((r) => r.id)).execute();
      progress('raw_requests', ids.length);
    }
    if (ids.length < batch) break;
  }

  // Quarantine ids grow with time: one pass finds the last old id, then batches walk the primary key.
  const last = await db.selectFrom('quarantine').select((eb) => eb.fn.max('id').as('id'))
    .where('received_at', '<', beforeMs).executeTakeFirst();
  const lastId = last?.id === null || last?.id === undefined ? null : Number(last.id);
  while (lastId !== null) {
    const ids = await db.selectFrom('quarantine').select('id').where('id', '<=', lastId)
      .where('received_at', '<', beforeMs).orderBy('id').limit(batch).execute();
    if (ids.length > 0) {
      await db.deleteFrom('quarantine').where('id', 'in', ids.map((r) => r.id)).execute();
      progress('quarantine', ids.length);
    }
    if (ids.length < batch) break;
  }
  return result;
}
