import { startEndMissingSweeper } from '../end-missing-sweeper.js';
import { createServer } from 'node:http';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import { GroupCommitter } from '../ingest/group-committer.js';
import { createNotifyRelay } from '../relay/notify-relay.js';
import { RelayWorker } from '../relay/relay-worker.js';
import { type CallbackRecord, type CallStore, type NotifyRelayAttempt, type RecordResult, RELAYED_RESULTS, type SpoolStatus } from '../storage/port.js';
import { requireApiToken } from './api-auth.js';
import { installErrorHandlers } from './error-handler.js';
import { createMetrics, GROUP_RECENT_WINDOW_MS, metricsRoutes } from './metrics.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { registerOpenApi } from './openapi/register-openapi.js';
import { callLifeRoutes } from './routes/call-life-routes.js';
import { groupCallRoutes } from './routes/group-call-routes.js';
import { callRoutes } from './routes/call-routes.js';
import { callbackRoutes } from './routes/callback-routes.js';
import { dashboardRoutes } from './routes/dashboard-routes.js';
import { erasureRoutes } from './routes/erasure-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { quarantineRoutes } from './routes/quarantine-routes.js';
import { relayRoutes } from './routes/relay-routes.js';
import { statsRoutes } from './routes/stats-routes.js';
import { lifecycleStatsRoutes } from './routes/lifecycle-stats-routes.js';
import { groupStatsRoutes } from './routes/group-stats-routes.js';

/** How long a Notify relay attempt waits for others before they are written together, in ms. */
export const RELAY_ATTEMPT_GATHER_MS = 50;

/** Largest request head (request line + headers) Node accepts, in bytes: room for a 16 KiB query. */
export const MAX_HEADER_BYTES = 32_768;

export interface AppDeps {
  config: Readonly<Config>;
  store: CallStore;
  logger?: Logger;
  /** The clock, in Unix milliseconds (tests pass their own). */
  now?: () => number;
  /** The local spool in front of PostgreSQL, when there is one (for /readyz and /metrics). */
  spool?: SpoolStatus;
  /** How often an idle relay worker looks for due items, in milliseconds (tests shorten it). */
  relayPollMs?: number;
}

/** A built app, with the group committer that must be drained on shutdown. */
export interface CallevtApp {
  app: FastifyInstance;
  committer: GroupCommitter<CallbackRecord, RecordResult>;
  /** Writes Notify relay attempts after the answers (drained on close too). */
  relayCommitter: GroupCommitter<NotifyRelayAttempt, void>;
  /** The relay worker, when CALL_EVENT_RELAY_URL is set; it starts when the app is ready and stops when it closes. */
  relay: RelayWorker | null;
}

/**
 * Builds the HTTP application without listening: `server.ts` listens, tests use
 * `app.inject()`. Everything it needs arrives in `deps`.
 */
export async function buildApp(deps: AppDeps): Promise<CallevtApp> {
  const { config, store } = deps;
  const now = deps.now ?? Date.now;
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: !config.logRequests }),
    trustProxy: config.trustProxy,
    // Our own server, so Fastify's keepAliveTimeout does not apply: without these, Node closes
    // idle connections after 5 s and a load balancer's reused connection meets a closed socket.
    serverFactory: (handler) =>
      createServer({ maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: config.keepAliveTimeoutMs, headersTimeout: config.headersTimeoutMs }, handler),
    routerOptions: { maxParamLength: 200 },
  }) as unknown as FastifyInstance;
  installErrorHandlers(app, { callbackSecret: config.callbackSecret });
  await registerOpenApi(app);
  let pending = () => 0;
  const spool = deps.spool;
  const deadline = () => ({ now: now(), deadlineMs: config.callEventDeadlineMs });
  const relaySettings = config.callEventRelay;
  const endMissing = startEndMissingSweeper(store, deadline, { logger: app.log.child({ component: 'end-missing' }) });
  const metrics = createMetrics({
    pending: () => pending(),
    ...(spool ? { spooled: () => spool.pending, held: () => spool.held } : {}),
    endMissing: { count: () => store.countEndMissing(deadline()), sweep: () => endMissing.sweep(), flaggedTotal: () => endMissing.flaggedTotal },
    group: {
      openSessions: () => store.countOpenGroupSessions({ now: now(), deadlineMs: config.groupEndDeadlineMs }),
      recentStays: () => store.countRecentGroupStays(now() - GROUP_RECENT_WINDOW_MS),
    },
    ...(relaySettings ? { relayStatus: () => store.relay.status(now()) } : {}),
  });
  const relay = relaySettings === null ? null : new RelayWorker({
    outbox: store.relay, settings: relaySettings, now, logger: app.log.child({ component: 'relay' }),
    onAttempt: metrics.onRelayAttempt, ...(deps.relayPollMs === undefined ? {} : { pollMs: deps.relayPollMs }),
  });
  // Committed deliveries that were enqueued: the worker looks now rather than at its next poll.
  const wakeRelay = (results: readonly RecordResult[]) => {
    if (relay !== null && results.some((r) => RELAYED_RESULTS.has(r))) relay.wake();
  };
  spool?.onReplayed((records, results) => {
    metrics.countReplayed(records, results);
    wakeRelay(results);
  });
  const committer = new GroupCommitter<CallbackRecord, RecordResult>(
    async (records, committed) => {
      const results = await store.recordCallbacks(records, committed);
      metrics.countRecorded(records, results);
      wakeRelay(results);
      return results;
    },
    { maxBatch: config.ingestMaxBatch, onBatch: metrics.onBatch },
  );
  pending = () => committer.pending;
  // Relay attempts are written after the Notify was answered, in group commits of their own,
  // gathered for a while: nobody waits on them, and one transaction per few dozen attempts
  // costs the event loop that every Notify waits on far less than one per attempt (bench/notify).
  const relayCommitter = new GroupCommitter<NotifyRelayAttempt, void>(async (attempts) => {
    await store.recordNotifyRelays(attempts);
    return attempts.map(() => undefined);
  }, { gatherMs: RELAY_ATTEMPT_GATHER_MS });
  const onRelayed = (attempt: NotifyRelayAttempt) => {
    metrics.countRelay(attempt.outcome);
    relayCommitter.submit(attempt).catch((error: unknown) => app.log.warn({ err: error, sid: attempt.sid }, 'a Notify relay attempt could not be recorded'));
  };
  const notifyRelay = config.notifyRelayUrl === null ? undefined : createNotifyRelay({ url: config.notifyRelayUrl, timeoutMs: config.notifyRelayTimeoutMs });
  await app.register(callbackRoutes, { config, committer, now, onResult: metrics.onResult, onRelayed, ...(notifyRelay ? { notifyRelay } : {}) });
  await app.register(healthRoutes, { store, ...(spool ? { spool } : {}) });
  await app.register(openApiRoutes);
  await app.register(dashboardRoutes);
  await app.register(async (api) => {
    api.addHook('onRequest', requireApiToken(config.apiTokens));
    await api.register(callRoutes, { store, now });
    await api.register(callLifeRoutes, { store, now, deadlineMs: config.callEventDeadlineMs });
    await api.register(groupCallRoutes, { store, now, deadlineMs: config.groupEndDeadlineMs });
    await api.register(quarantineRoutes, { store, now });
    await api.register(statsRoutes, { store, now });
    await api.register(lifecycleStatsRoutes, { store, now });
    await api.register(groupStatsRoutes, { store, now, deadlineMs: config.groupEndDeadlineMs });
    await api.register(erasureRoutes, { store, now });
    await api.register(relayRoutes, { store, now, enabled: relay !== null, ...(relay ? { onRetried: () => relay.wake() } : {}) });
    await api.register(metricsRoutes, { metrics });
  });
  if (relay !== null) app.addHook('onReady', async () => relay.start());
  app.addHook('onClose', async () => {
    await committer.idle();
    await relayCommitter.idle();
    await endMissing.stop();
    await relay?.stop();
  });
  return { app, committer, relayCommitter, relay };
}
