import { Kysely, PostgresDialect } from 'kysely';
import { type PruneOptions, type PruneResult, pruneOldRecords } from '../sql/prune-old-records.js';
import type { Database } from '../sql/schema-types.js';
import { migratePostgres } from './migrate.js';
import { openPostgres } from './open-postgres.js';

/**
 * Prunes a PostgreSQL database by batched deletes through indexes (no partitions:
 * see docs/deploy.md). Receivers keep running meanwhile; autovacuum reclaims the space.
 */
export async function prunePostgres(url: string, options: PruneOptions, now = Date.now()): Promise<PruneResult> {
  const pool = openPostgres(url, { poolMax: 1 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migratePostgres(pool, now);
    return await pruneOldRecords(kysely, options);
  } finally {
    await kysely.destroy();
    if (!pool.ended) await pool.end();
  }
}
