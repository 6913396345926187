import type { Logger } from 'pino';
import type { Config } from './config/load-config.js';
import { buildApp, type CallevtApp } from './http/build-app.js';
import { createLogger } from './logging/create-logger.js';
import { openStore, parseDatabaseUrl } from './storage/open-store.js';
import type { CallStore } from './storage/port.js';
import { isDatabaseUnavailable } from './storage/spool/database-unavailable.js';
import { createDeferredStore } from './storage/spool/deferred-store.js';
import { summarizeError } from './storage/spool/retry.js';
import { openSpoolFile } from './storage/spool/spool-file.js';
import { createSpoolingStore, type SpoolStatus } from './storage/spool/spooling-store.js';

/** A running callevt server. */
export interface RunningServer {
  url: string;
  store: CallStore;
  app: CallevtApp['app'];
  /** Stops accepting, finishes in-flight commits, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, builds the app and listens. Used by `callevt serve` and tests. */
export async function startServer(config: Readonly<Config>, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? createLogger({ level: config.logLevel, callbackSecret: config.callbackSecret });
  const { store, spool } = await openStoreWithSpool(config, log);
  const { app } = await buildApp({ config, store, logger: log, ...(spool ? { spool } : {}) });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    store,
    app,
    close() {
      closing ??= (async () => {
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}

/**
 * The configured store; with PostgreSQL and a SPOOL_FILE, wrapped in the local spool
 * (docs/deploy.md). A receiver with a spool starts even while PostgreSQL cannot be
 * reached: callbacks go to the spool and the database is opened in the background.
 */
async function openStoreWithSpool(config: Readonly<Config>, log: Logger): Promise<{ store: CallStore; spool?: SpoolStatus }> {
  const location = parseDatabaseUrl(config.databaseUrl);
  if (location.dialect !== 'postgres' || config.spoolFile === null) return { store: await openStore(config.databaseUrl) };
  // The spool is opened first: a spool file locked by another receiver fails the start before any connection.
  const spoolFile = openSpoolFile(config.spoolFile);
  let store: CallStore;
  try {
    store = await openStore(config.databaseUrl);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) {
      spoolFile.close();
      throw error;
    }
    log.warn({ err: summarizeError(error), spoolFile: config.spoolFile },
      'PostgreSQL cannot be reached at start: callbacks go to the local spool while it is opened in the background');
    store = createDeferredStore(() => openStore(config.databaseUrl), { dialect: 'postgres', logger: log.child({ component: 'database' }) });
  }
  const spooling = createSpoolingStore(store, spoolFile, { logger: log.child({ component: 'spool' }) });
  return { store: spooling, spool: spooling.spool };
}
