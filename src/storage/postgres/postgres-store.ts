import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { CallStore, RecordOptions } from '../port.js';
import { createDerivedRowsReader } from '../sql/derived-rows.js';
import { createSqlReadMethods } from '../sql/read-methods.js';
import { createCallLifeMethods } from '../sql/call-life-queries.js';
import { createLifecycleStatsQueries } from '../sql/lifecycle-stats-queries.js';
import type { Database } from '../sql/schema-types.js';
import { rebuildRollupsPostgres, refreshRollupSlotsPostgres, refreshStaleBlocksPostgres, refreshStalePeaksPostgres } from './rollups.js';
import { createStatsQueries } from '../sql/stats-queries.js';
import { createGroupStatsQueries } from '../sql/group-stats-queries.js';
import { migratePostgres } from './migrate.js';
import { openPostgres, type PostgresOptions } from './open-postgres.js';
import { createPostgresCallbackRecorder, recordCallbacksPostgres } from './record-callbacks.js';
import { createPostgresReclassifier } from './reclassify.js';
import { applyRetention } from '../sql/apply-retention.js';
import { ROLLUP_GRAINS } from '../sql/rollup-refresh.js';
import { eraseUser } from '../sql/erase-user.js';
import { createPostgresStepRunner } from './sql-step-runner.js';
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
  const derived = createDerivedRowsReader(kysely);
  const steps = createPostgresStepRunner(pool);
  let closed = false;

  return {
    dialect: 'postgres',
    pool,
    kysely,
    recordCallbacks: createPostgresCallbackRecorder(pool, options),
    recordStoredCallbacks: (records, options) => recordCallbacksPostgres(pool, records, options),
    derivedRows: () => derived,
    ...createSqlReadMethods(kysely),
    ...createCallLifeMethods(kysely, steps),
    ...createGroupStatsQueries(kysely, steps),
    ...createLifecycleStatsQueries(kysely, 'postgres'),
    reclassifyCalls: (options) => reclassify(options),
    ...createStatsQueries(kysely, { dialect: 'postgres', refreshStalePeaks: (from, to, grain) => refreshStalePeaksPostgres(pool, from, to, grain),
      refreshStaleBlocks: (from, to) => refreshStaleBlocksPostgres(pool, from, to),
    }),
    rebuildStatsRollups: (range) => rebuildRollupsPostgres(pool, range),
    eraseUser: (request) => eraseUser(steps, request),
    applyRetention: (options) =>
      applyRetention(steps, options, {
        // Every grain's peaks are made exact before the calls they come from go.
        beforeRemovingCalls: async (before) => {
          for (const grain of ROLLUP_GRAINS) await refreshStalePeaksPostgres(pool, undefined, before, grain);
        },
      }),
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
