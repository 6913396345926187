import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { CallStore, RecordOptions } from '../port.js';
import { createSqlReadMethods } from '../sql/read-methods.js';
import type { Database } from '../sql/schema-types.js';
import { rebuildRollupsPostgres, refreshRollupSlotsPostgres, refreshStalePeaksPostgres } from './rollups.js';
import { createStatsQueries } from '../sql/stats-queries.js';
import { migratePostgres } from './migrate.js';
import { openPostgres, type PostgresOptions } from './open-postgres.js';
import { createPostgresCallbackRecorder } from './record-callbacks.js';
import { createPostgresReclassifier } from './reclassify.js';
import { createPostgresRelayOutbox } from './relay-outbox.js';

/** The PostgreSQL adapter of the storage port. */
export interface PostgresStore extends CallStore {
  readonly dialect: 'postgres';
  /** The pool, for maintenance (prune) and tests. */
  readonly pool: pg.Pool;
  readonly kysely: Kysely<Database>;
}

/**
 * Connects to PostgreSQL (applying migrations) as a CallStore. Several callevt
 * processes may share one database: ingest stays exactly-once per sid across them.
 */
export async function createPostgresStore(
  url: string,
  options: PostgresOptions & RecordOptions & { now?: () => number } = {},
): Promise<PostgresStore> {
  const now = options.now ?? Date.now;
  const pool = openPostgres(url, options);
  try {
    await migratePostgres(pool, now());
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  // Statistics rollups follow reclassified outcomes in the same transaction.
  const reclassify = createPostgresReclassifier(pool, [(client, changes) => refreshRollupSlotsPostgres(client, changes.map((c) => c.call.setup_time))]);
  let closed = false;

  return {
    dialect: 'postgres',
    pool,
    kysely,
    recordCallbacks: createPostgresCallbackRecorder(pool, options),
    ...createSqlReadMethods(kysely),
    reclassifyCalls: (options) => reclassify(options),
    ...createStatsQueries(kysely, { refreshStalePeaks: (from, to) => refreshStalePeaksPostgres(pool, from, to) }),
    rebuildStatsRollups: (range) => rebuildRollupsPostgres(pool, range),
    relay: createPostgresRelayOutbox(pool),
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await kysely.destroy(); // ends the pool, but only if Kysely ever used it
      if (!pool.ended) await pool.end();
    },
  };
}
