import { Kysely, SqliteDialect } from 'kysely';
import type { CallStore, RecordOptions } from '../port.js';
import { createDerivedRowsReader } from '../sql/derived-rows.js';
import { createSqlReadMethods } from '../sql/read-methods.js';
import { createCallLifeMethods } from '../sql/call-life-queries.js';
import { createLifecycleStatsQueries } from '../sql/lifecycle-stats-queries.js';
import type { Database } from '../sql/schema-types.js';
import { migrateSqlite } from './migrate.js';
import { openSqlite } from './open-sqlite.js';
import { createSqliteCallbackRecorder } from './record-callbacks.js';
import { createSqliteRelayOutbox } from './relay-outbox.js';
import { startWalCheckpointer, type WalCheckpointOptions } from './wal-checkpointer.js';
import { createStatsQueries } from '../sql/stats-queries.js';
import { createGroupStatsQueries } from '../sql/group-stats-queries.js';
import { createSqliteReclassifier } from './reclassify.js';
import { createSqliteRollups } from './rollups.js';
import { applyRetention } from '../sql/apply-retention.js';
import { ROLLUP_GRAINS } from '../sql/rollup-refresh.js';
import { RETENTION_BATCH_TARGET_MS } from '../sql/retention-pacing.js';
import { flushWal } from './flush-wal.js';
import { eraseUser } from '../sql/erase-user.js';
import { createSqliteStepRunner } from './sql-step-runner.js';
import { createWalSync, type WalSync } from './wal-sync.js';
import { withoutFsync } from './without-fsync.js';

/** The SQLite adapter of the storage port. */
export interface SqliteStore extends CallStore {
  readonly dialect: 'sqlite';
  readonly file: string;
  /** How many times the checkpoint thread was asked to catch up so that the WAL could start over (0 without the thread). */
  readonly walHandOffs: number;
  /** How many commits waited for the checkpoint thread to finish catching up (0 without the thread). */
  readonly walHeldCommits: number;
}

/**
 * Opens a SQLite database file (creating it and applying migrations) as a CallStore.
 * One connection serves reads and writes: better-sqlite3 is synchronous, so a batch
 * commit can never interleave with another statement.
 */
export function createSqliteStore(
  file: string,
  options: RecordOptions & {
    now?: () => number;
    /** false: SQLite checkpoints inside commits (for benchmarks) */
    backgroundCheckpoints?: boolean;
    /** The checkpoint thread's settings (tests use a small WAL). */
    walCheckpoints?: WalCheckpointOptions;
    /** How ingest commits reach the disk (default: fdatasync of the WAL on a libuv thread; tests watch it). */
    walSync?: WalSync;
  } = {},
): SqliteStore {
  const now = options.now ?? Date.now;
  const db = openSqlite(file);
  migrateSqlite(db, now());
  const record = createSqliteCallbackRecorder(db, options);
  const checkpointer = file === ':memory:' || options.backgroundCheckpoints === false ? null : startWalCheckpointer(db, file, options.walCheckpoints);
  // The driver's shape is ours (sqlite-driver.ts); Kysely wants its own structural type.
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: db as never }) });
  const ping = db.prepare('SELECT 1');
  const rollups = createSqliteRollups(db);
  const reclassify = createSqliteReclassifier(db, [rollups.reclassifyHook]);
  const derived = createDerivedRowsReader(kysely);
  const steps = createSqliteStepRunner(db);
  const walSync = options.walSync ?? createWalSync(file);
  let closed = false;

  return {
    dialect: 'sqlite',
    file,
    get walHandOffs() {
      return checkpointer?.handOffs ?? 0;
    },
    get walHeldCommits() {
      return checkpointer?.heldCommits ?? 0;
    },
    async recordCallbacks(records, onCommitted) {
      // While the checkpoint thread catches up on a full WAL, wait (not block) for it.
      await checkpointer?.beforeCommit();
      // Committed without an fsync on the event loop, then flushed on a libuv thread before
      // anyone is answered (wal-sync.ts): durable as under synchronous=FULL, without the stall.
      const results = withoutFsync(db, () => record.record(records));
      // Past the WAL's restart point, the thread catches up during the fsync below.
      checkpointer?.afterCommit();
      const synced = walSync.sync();
      onCommitted?.(results);
      await synced;
      return results;
    },
    async recordStoredCallbacks(records, options) {
      await checkpointer?.beforeCommit();
      const results = record.recordStored(records, options);
      checkpointer?.afterCommit();
      return results;
    },
    derivedRows: () => derived,
    ...createSqlReadMethods(kysely),
    ...createCallLifeMethods(kysely, steps),
    ...createGroupStatsQueries(kysely, steps),
    ...createLifecycleStatsQueries(kysely, 'sqlite'),
    reclassifyCalls: (options) => reclassify(options),
    ...createStatsQueries(kysely, { dialect: 'sqlite', refreshStalePeaks: (from, to, grain) => rollups.refreshStalePeaksInBatches(from, to, grain),
      refreshStaleBlocks: async (from, to) => rollups.refreshStaleBlocks(from, to),
    }),
    rebuildStatsRollups: (range) => rollups.rebuild(range),
    async eraseUser(request) {
      // Freed and overwritten cells are zeroed, so that old values do not linger in free space.
      db.pragma('secure_delete = ON');
      try {
        return await eraseUser(steps, request);
      } finally {
        db.pragma('secure_delete = OFF');
      }
    },
    applyRetention: (options) =>
      applyRetention(steps, options, {
        // Every grain's peaks are made exact before the calls they come from go.
        beforeRemovingCalls: async (before) => {
          for (const grain of ROLLUP_GRAINS) await rollups.refreshStalePeaksPaced(before, grain, RETENTION_BATCH_TARGET_MS, () => flushWal(file));
        },
        afterBatch: () => flushWal(file),
      }),
    relay: createSqliteRelayOutbox(db),
    async ping() {
      ping.get();
    },
    async close() {
      if (closed) return;
      closed = true;
      await walSync.close();
      await checkpointer?.stop(); // before this connection, so that it closes last and removes the WAL
      await kysely.destroy();
      // Kysely closes the handle only if it ever ran a query; close it ourselves (idempotent).
      db.close();
    },
  };
}
