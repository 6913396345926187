import { Kysely, SqliteDialect } from 'kysely';
import { type PruneOptions, type PruneResult, pruneOldRecords } from '../sql/prune-old-records.js';
import type { Database } from '../sql/schema-types.js';
import { migrateSqlite } from './migrate.js';
import { openSqlite } from './open-sqlite.js';

/**
 * Prunes a SQLite database file. Safe while a receiver runs on the same file: WAL lets
 * it keep reading, and each batch is a short write transaction it waits for at most.
 */
export async function pruneSqlite(file: string, options: PruneOptions, now = Date.now()): Promise<PruneResult> {
  const db = openSqlite(file);
  migrateSqlite(db, now);
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: db as never }) });
  try {
    return await pruneOldRecords(kysely, options);
  } finally {
    await kysely.destroy();
  }
}
