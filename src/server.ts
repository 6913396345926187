import type { Logger } from 'pino';
import type { Config } from './config/load-config.js';
import { buildApp, type CallevtApp } from './http/build-app.js';
import { createLogger } from './logging/create-logger.js';
import { type RetentionJob, startRetentionJob } from './retention-job.js';
import { openServingStore } from './storage/open-store.js';
import type { CallStore } from './storage/port.js';

/** A running callevt server. */
export interface RunningServer {
  url: string;
  store: CallStore;
  app: CallevtApp['app'];
  /** The scheduled retention job, or null when RETENTION_* keeps everything. */
  retention: RetentionJob | null;
  /** Stops accepting, finishes in-flight commits, closes the database. */
  close(): Promise<void>;
}

/** Opens the database, builds the app and listens. Used by `callevt serve` and tests. */
export async function startServer(config: Readonly<Config>, logger?: Logger): Promise<RunningServer> {
  const log = logger ?? createLogger({ level: config.logLevel, callbackSecret: config.callbackSecret });
  const { store, spool } = await openServingStore({
    databaseUrl: config.databaseUrl, spoolFile: config.spoolFile, logger: log, relayCallEvents: config.callEventRelay !== null,
    relayAgentCallStatuses: config.callEventRelay?.agentCallStatusUrl != null,
  });
  const { app } = await buildApp({ config, store, logger: log, ...(spool ? { spool } : {}) });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  const retention = startRetentionJob(store, config.retention, { logger: log.child({ component: 'retention' }) });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    store,
    app,
    retention,
    close() {
      closing ??= (async () => {
        await retention?.stop();
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
