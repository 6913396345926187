import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { OUTCOMES } from '../domain/classify/call-status.js';
import { STAY_STATUSES } from '../domain/group/stay-status.js';
import { DISCONNECT_REASONS, LEGACY_CALL_END_REASONS, TERMINATE_CAUSES } from '../domain/classify/release-codes.js';
import type { CallbackRecord, NotifyRelayOutcome, OpenGroupSessionCounts, ParticipantStay, RecordResult, RelayStatus } from '../storage/port.js';
import type { Schema } from './openapi/openapi-schemas.js';
import { errorAnswers, mediaAnswer } from './openapi/responses.js';

/** Every result a callback can have, as the `result` label (bounded: never a sid or user). */
export const CALLBACK_RESULTS = ['accepted', 'duplicate', 'conflict', 'quarantined', 'spooled', 'rejected'] as const;
/** The callback endpoints, as the `callback` label: the last segment of each one's path. */
export const CALLBACK_ENDPOINTS = ['call-event', 'notify', 'agent-call-status', 'group-call-event'] as const;
/** One of CALLBACK_ENDPOINTS. */
export type CallbackEndpoint = (typeof CALLBACK_ENDPOINTS)[number];
/** What a replayed (formerly spooled) delivery became in the database. */
export const REPLAY_RESULTS = ['accepted', 'duplicate', 'conflict', 'quarantined'] as const;

/**
 * The `reason` label's values: every name in the code tables (docs/spec/callbacks.md §5), and
 * `unknown` for a code no table holds (the classifier names it `unknown (1399)`, one value
 * per code, which would leave the label unbounded).
 */
export const REASON_LABELS: ReadonlySet<string> = new Set([
  ...[DISCONNECT_REASONS, LEGACY_CALL_END_REASONS, TERMINATE_CAUSES].flatMap((table) => [...table.values()].map((info) => info.name)),
  'unknown',
]);

/** A decisive reason as the bounded `reason` label. */
export function reasonLabel(reason: string): string {
  return REASON_LABELS.has(reason) ? reason : 'unknown';
}

/** Ingest latency buckets, in seconds: group commit makes a few milliseconds normal. */
export const INGEST_LATENCY_BUCKETS_SEC = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** What a relay attempt came to, as the `result` label. */
export const RELAY_ATTEMPT_RESULTS = ['delivered', 'retry', 'dead'] as const;
/** Relay attempt latency buckets, in seconds: the app's handler answers, up to RELAY_TIMEOUT_MS. */
export const RELAY_LATENCY_BUCKETS_SEC = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Commit batch size buckets, in deliveries. */
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096];

/**
 * prom-client's default metrics, less its gauges named `*_total` (nodejs_active_handles_total,
 * nodejs_active_requests_total, nodejs_active_resources_total): Prometheus reserves `_total` for
 * counters (`promtool check metrics` refuses them), and each is only the sum of the labelled
 * gauge beside it, e.g. `sum(nodejs_active_handles)`.
 */
function collectNodeMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const metric of registry.getMetricsAsArray()) {
    if (metric instanceof Gauge && metric.name.endsWith('_total')) registry.removeSingleMetric(metric.name);
  }
}

/** One app's Prometheus metrics, in a registry of its own (never the global one). */
export interface AppMetrics {
  registry: Registry;
  /** For callbackRoutes: one delivery to an endpoint answered, and how long its commit took. */
  onResult(result: RecordResult | 'rejected', seconds: number, callback: CallbackEndpoint): void;
  /** For GroupCommitter: one transaction committed. */
  onBatch(size: number, seconds: number): void;
  /** Counts the calls a committed batch stored, by outcome and type, and by outcome and reason. */
  countRecorded(records: readonly CallbackRecord[], results: readonly RecordResult[]): void;
  /** For the spool's replayer: a spooled batch committed to the database. */
  countReplayed(records: readonly CallbackRecord[], results: readonly RecordResult[]): void;
  /** For the Notify relay: one attempt, by outcome. */
  countRelay(outcome: NotifyRelayOutcome): void;
  /** For the relay worker: one attempt and how long the app took to answer (or fail). */
  onRelayAttempt(result: (typeof RELAY_ATTEMPT_RESULTS)[number], seconds: number): void;
}

/** Notify relay outcomes, each series present from the start. */
const RELAY_OUTCOMES: readonly NotifyRelayOutcome[] = ['ok', 'http_error', 'timeout', 'unreachable'];

/** Reads of notified calls whose Call Event is overdue, done at scrape time. */
export interface EndMissingProbe {
  /** How many are overdue now. */
  count(): Promise<number>;
  /** Marks the newly overdue ones now (or joins the sweep that is doing it). */
  sweep(): Promise<unknown>;
  /** How many this process has ever marked, sweeps between scrapes included. */
  flaggedTotal(): number;
}

/** Reads of group sessions and stays done at scrape time (docs/operations.md, "Metrics"). */
export interface GroupProbe {
  /** Stored sessions without sc=E, in_progress or end_missing now. */
  openSessions(): Promise<OpenGroupSessionCounts>;
  /** The stays of sessions started in the last GROUP_RECENT_WINDOW_MS, by status. */
  recentStays(): Promise<Partial<Record<ParticipantStay['status'], number>>>;
}

/** The window of callevt_group_recent_stays, in milliseconds: sessions started in the last 15 minutes. */
export const GROUP_RECENT_WINDOW_MS = 15 * 60_000;

/**
 * Creates the metrics; `pending` reads the ingest queue length at scrape time, `spooled`
 * the number of records waiting in the local spool and `held` those it holds apart (only
 * when there is one).
 */
export function createMetrics(
  options: {
    pending?: () => number;
    spooled?: () => number;
    held?: () => number;
    endMissing?: EndMissingProbe;
    group?: GroupProbe;
    relayStatus?: () => Promise<RelayStatus>;
  } = {},
): AppMetrics {
  const registry = new Registry();
  collectNodeMetrics(registry);
  const relays = new Counter({
    name: 'callevt_notify_relay_total', help: "Notify relay attempts to the app's notify handler, by outcome",
    labelNames: ['outcome'] as const, registers: [registry],
  });
  for (const outcome of RELAY_OUTCOMES) relays.inc({ outcome }, 0);
  const endMissing = options.endMissing;
  if (endMissing !== undefined) registerEndMissing(registry, endMissing);
  if (options.group !== undefined) registerGroupGauges(registry, options.group);
  const callbacks = new Counter({
    name: 'callevt_callbacks_total', help: 'Callback deliveries by callback endpoint and result', labelNames: ['callback', 'result'] as const, registers: [registry],
  });
  for (const callback of CALLBACK_ENDPOINTS) for (const result of CALLBACK_RESULTS) callbacks.inc({ callback, result }, 0);
  const latency = new Histogram({
    name: 'callevt_ingest_duration_seconds', help: 'Time from a delivery joining the commit queue to its commit, by result',
    labelNames: ['result'] as const, buckets: INGEST_LATENCY_BUCKETS_SEC, registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'callevt_commit_batch_size', help: 'Deliveries committed per transaction', buckets: BATCH_SIZE_BUCKETS, registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'callevt_commit_duration_seconds', help: 'Time one commit transaction took', buckets: INGEST_LATENCY_BUCKETS_SEC, registers: [registry],
  });
  const calls = new Counter({
    name: 'callevt_calls_recorded_total', help: 'Calls stored (first version of each sid) by outcome and type',
    labelNames: ['outcome', 'type'] as const, registers: [registry],
  });
  for (const outcome of OUTCOMES) for (const type of ['A', 'V']) calls.inc({ outcome, type }, 0);
  // Series appear with their first call: zeroing every outcome × reason pair would expose hundreds.
  const ended = new Counter({
    name: 'callevt_calls_ended_total', help: 'Calls stored (first version of each sid) by outcome and decisive reason (a code table name, or unknown)',
    labelNames: ['outcome', 'reason'] as const, registers: [registry],
  });
  const pending = options.pending;
  if (pending !== undefined) {
    new Gauge({
      name: 'callevt_ingest_queue_pending', help: 'Deliveries waiting for a commit', registers: [registry],
      collect() { this.set(pending()); },
    });
  }
  const spooled = options.spooled;
  const replayed = new Counter({
    name: 'callevt_spool_replayed_total', help: 'Spooled deliveries moved into the database, by what they became',
    labelNames: ['result'] as const, registers: [],
  });
  if (spooled !== undefined) {
    registry.registerMetric(replayed);
    for (const result of REPLAY_RESULTS) replayed.inc({ result }, 0);
    new Gauge({
      name: 'callevt_spool_pending', help: 'Deliveries waiting in the local spool for the database', registers: [registry],
      collect() { this.set(spooled()); },
    });
  }
  const held = options.held;
  if (held !== undefined) {
    new Gauge({
      name: 'callevt_spool_held', help: 'Spooled deliveries the database refused for a reason other than availability, held in the spool file',
      registers: [registry], collect() { this.set(held()); },
    });
  }
  const relayAttempts = new Counter({
    name: 'callevt_relay_deliveries_total', help: 'Relay attempts by result: delivered, retry (failed, tried again later), dead (failed, gave up)',
    labelNames: ['result'] as const, registers: [],
  });
  const relayLatency = new Histogram({
    name: 'callevt_relay_delivery_duration_seconds', help: "Time the app's handler took to answer a relayed request (or to fail)",
    buckets: RELAY_LATENCY_BUCKETS_SEC, registers: [],
  });
  const relayStatus = options.relayStatus;
  if (relayStatus !== undefined) {
    registry.registerMetric(relayAttempts);
    registry.registerMetric(relayLatency);
    for (const result of RELAY_ATTEMPT_RESULTS) relayAttempts.inc({ result }, 0);
    // One outbox query serves both gauges of a scrape.
    let reading: Promise<RelayStatus> | null = null;
    const read = () => {
      reading ??= relayStatus().finally(() => setImmediate(() => (reading = null)));
      return reading;
    };
    new Gauge({
      name: 'callevt_relay_outbox_pending', help: 'Relayed deliveries not yet delivered: waiting, backing off or in flight', registers: [registry],
      async collect() {
        const status = await read();
        this.set(status.pending + status.inFlight);
      },
    });
    new Gauge({
      name: 'callevt_relay_dead_letters', help: 'Relayed deliveries given up after RELAY_MAX_ATTEMPTS (callevt relay retry puts them back)',
      registers: [registry],
      async collect() {
        this.set((await read()).dead);
      },
    });
  }
  const countRecorded = (records: readonly CallbackRecord[], results: readonly RecordResult[]) => {
    records.forEach((record, i) => {
      if (record.kind === 'event' && results[i] === 'accepted') {
        calls.inc({ outcome: record.classification.outcome, type: record.event.type });
        ended.inc({ outcome: record.classification.outcome, reason: reasonLabel(record.classification.reason) });
      }
    });
  };
  return {
    registry,
    onResult(result, seconds, callback) {
      callbacks.inc({ callback, result });
      latency.observe({ result }, seconds);
    },
    onBatch(size, seconds) {
      batchSize.observe(size);
      batchSeconds.observe(seconds);
    },
    countRecorded,
    countRelay(outcome) {
      relays.inc({ outcome });
    },
    countReplayed(records, results) {
      countRecorded(records, results);
      for (const result of results) replayed.inc({ result });
    },
    onRelayAttempt(result, seconds) {
      relayAttempts.inc({ result });
      relayLatency.observe(seconds);
    },
  };
}

/**
 * The end_missing gauge (now) and counter (ever): read from the database at scrape time,
 * so no timer runs; the counter's increments are the notifies this scrape marked first
 * (whichever receiver marks one counts it). A scrape while the database is down keeps
 * the last values.
 */
function registerEndMissing(registry: Registry, probe: EndMissingProbe): void {
  let last = 0;
  new Gauge({
    name: 'callevt_calls_end_missing', help: 'Notified calls past CALL_EVENT_DEADLINE without a Call Event', registers: [registry],
    async collect() {
      last = await probe.count().catch(() => last);
      this.set(last);
    },
  });
  let counted = 0;
  new Counter({
    name: 'callevt_calls_end_missing_flagged_total', help: 'Notified calls ever found past CALL_EVENT_DEADLINE without a Call Event',
    registers: [registry],
    async collect() {
      await probe.sweep();
      const total = probe.flaggedTotal();
      this.inc(total - counted);
      counted = total;
    },
  });
}

/**
 * The group gauges, read from the database at scrape time like the end_missing gauge: one
 * query over the index of open sessions gives both states, one over the sessions started
 * in GROUP_RECENT_WINDOW_MS the stays. A scrape while the database is down keeps the last
 * values.
 *
 * Stays are a gauge over a window, not a counter of stays ended: a session is rebuilt from
 * all its events whenever one arrives, so a late or reordered event can change a stay's
 * status after it was first seen (a refused join that a late connect turns into a dropped
 * stay); a counter could only ever add, and would count that stay twice.
 */
function registerGroupGauges(registry: Registry, probe: GroupProbe): void {
  let last: OpenGroupSessionCounts = { in_progress: 0, end_missing: 0 };
  new Gauge({
    name: 'callevt_group_sessions_open', help: 'Group sessions without sc=E: in_progress (last event within GROUP_END_DEADLINE) or end_missing (past it)',
    labelNames: ['state'] as const, registers: [registry],
    async collect() {
      last = await probe.openSessions().catch(() => last);
      this.set({ state: 'in_progress' }, last.in_progress);
      this.set({ state: 'end_missing' }, last.end_missing);
    },
  });
  let lastStays: Partial<Record<ParticipantStay['status'], number>> = {};
  new Gauge({
    name: 'callevt_group_recent_stays', help: `Participant stays of the group sessions started in the last ${GROUP_RECENT_WINDOW_MS / 60_000} minutes, by status`,
    labelNames: ['status'] as const, registers: [registry],
    async collect() {
      lastStays = await probe.recentStays().catch(() => lastStays);
      for (const status of STAY_STATUSES) this.set({ status }, lastStays[status] ?? 0);
    },
  });
}

const METRICS_SCHEMA: Schema = {
  tags: ['operations'],
  operationId: 'getMetrics',
  summary: 'Prometheus metrics (text exposition format)',
  description: 'Needs the API token like the read endpoints when API_TOKEN is set.',
  response: { 200: mediaAnswer('metrics', ['text/plain']), ...errorAnswers('unauthorized') },
};

/** `GET /metrics` in Prometheus text format; register it inside the API-token scope. */
export async function metricsRoutes(app: FastifyInstance, options: { metrics: AppMetrics }): Promise<void> {
  app.get('/metrics', { schema: METRICS_SCHEMA }, async (_request, reply) => {
    const text = await options.metrics.registry.metrics();
    return reply.header('content-type', options.metrics.registry.contentType).send(text);
  });
}
