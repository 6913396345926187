import type { Logger } from 'pino';
import { isDatabaseUnavailable } from './database-unavailable.js';
import type { CallStore, RecordOptions, SpoolStatus } from './port.js';
import { migratePostgresUrl } from './postgres/migrate.js';
import { createPostgresStore } from './postgres/postgres-store.js';
import { prunePostgres } from './postgres/prune.js';
import type { PruneOptions, PruneResult } from './sql/prune-old-records.js';
import { migrateSqliteFile } from './sqlite/migrate.js';
import { pruneSqlite } from './sqlite/prune.js';
import { createSqliteStore } from './sqlite/sqlite-store.js';
import { createDeferredStore } from './spool/deferred-store.js';
import { summarizeError } from './spool/retry.js';
import { openSpoolFile } from './spool/spool-file.js';
import { createSpoolingStore } from './spool/spooling-store.js';

export { DEFAULT_PRUNE_BATCH_ROWS } from './sql/prune-old-records.js';
export { DEFAULT_RETENTION_BATCH_ROWS } from './sql/apply-retention.js';

/** The database callevt uses when none is configured. */
export const DEFAULT_DATABASE_URL = './data/callevt.db';
/** Where a PostgreSQL receiver spools callbacks while the database is unavailable, unless SPOOL_FILE says otherwise. */
export const DEFAULT_SPOOL_FILE = './data/spool.db';

/** Which adapter a DATABASE_URL selects, and what it points at. */
export type StoreLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

/**
 * Reads a DATABASE_URL: `postgres://` or `postgresql://` selects PostgreSQL; a path,
 * `sqlite:PATH` or `file:PATH` selects SQLite. The only place that knows the adapters.
 */
export function parseDatabaseUrl(url: string): StoreLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', url };
  const file = url.replace(/^(sqlite|file):(\/\/)?/i, '');
  return { dialect: 'sqlite', file: file === '' ? DEFAULT_DATABASE_URL : file };
}

/** Opens the store a DATABASE_URL names, applying migrations; `options` say what recording also writes (the relay outbox). */
export async function openStore(url: string, options: RecordOptions = {}): Promise<CallStore> {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'sqlite') return createSqliteStore(location.file, options);
  return createPostgresStore(location.url, options);
}

/** Applies pending migrations to the database a DATABASE_URL names; returns the versions applied. */
export async function migrateDatabase(url: string, now = Date.now()): Promise<number[]> {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'postgres') return migratePostgresUrl(location.url, now);
  return migrateSqliteFile(location.file, now);
}

/** Deletes records older than `options.before` from the database a DATABASE_URL names (see pruneOldRecords). */
export async function pruneDatabase(url: string, options: PruneOptions, now = Date.now()): Promise<PruneResult> {
  const location = parseDatabaseUrl(url);
  if (location.dialect === 'postgres') return prunePostgres(location.url, options, now);
  return pruneSqlite(location.file, options, now);
}

/** What a serving receiver's store is made of. */
export interface ServingStoreOptions {
  databaseUrl: string;
  /** The local spool in front of PostgreSQL, or null for none (SQLite never has one). */
  spoolFile: string | null;
  logger: Logger;
  /** Write relay outbox rows when recording (CALL_EVENT_RELAY_URL is set), spooled deliveries included when they reach the database. */
  relayCallEvents?: boolean;
  /** The same for Agent Call Status deliveries (AGENT_CALL_STATUS_RELAY_URL is set). */
  relayAgentCallStatuses?: boolean;
}

/**
 * The configured store; with PostgreSQL and a SPOOL_FILE, wrapped in the local spool
 * (docs/deploy.md). A receiver with a spool starts even while PostgreSQL cannot be
 * reached: callbacks go to the spool and the database is opened in the background.
 */
export async function openServingStore(options: ServingStoreOptions): Promise<{ store: CallStore; spool?: SpoolStatus }> {
  const { databaseUrl, spoolFile: spoolPath, logger: log } = options;
  const recordOptions: RecordOptions = { relayCallEvents: options.relayCallEvents === true, relayAgentCallStatuses: options.relayAgentCallStatuses === true };
  const location = parseDatabaseUrl(databaseUrl);
  if (location.dialect !== 'postgres' || spoolPath === null) return { store: await openStore(databaseUrl, recordOptions) };
  // The spool is opened first: a spool file locked by another receiver fails the start before any connection.
  const spoolFile = openSpoolFile(spoolPath);
  let store: CallStore;
  try {
    store = await openStore(databaseUrl, recordOptions);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) {
      spoolFile.close();
      throw error;
    }
    log.warn({ err: summarizeError(error), spoolFile: spoolPath },
      'PostgreSQL cannot be reached at start: callbacks go to the local spool while it is opened in the background');
    store = createDeferredStore(() => openStore(databaseUrl, recordOptions), { dialect: 'postgres', logger: log.child({ component: 'database' }) });
  }
  const spooling = createSpoolingStore(store, spoolFile, { logger: log.child({ component: 'spool' }) });
  return { store: spooling, spool: spooling.spool };
}
