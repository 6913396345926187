import type { CallEvent, FieldProblem } from '../domain/call-event.js';
import type { CallFilter } from '../domain/call-filter.js';
import type { CallStatus, Outcome, ReasonSource } from '../domain/classify/call-status.js';
import type { EndedBy } from '../domain/classify/release-codes.js';
import type { ConflictingVersion, Delivery } from '../domain/deliveries/delivery.js';
import type {
  BreakdownAnswer, BreakdownQuery, SummaryAnswer, SummaryQuery, TimeseriesAnswer, TimeseriesQuery,
} from '../domain/stats/stats-query.js';

export type { ConflictingVersion, Delivery };
/** Whether an error means the database could not be reached (503 and retry), not that it refused. */
export { isDatabaseUnavailable } from './database-unavailable.js';

/**
 * The storage port: what callevt needs from a database, and nothing more.
 * Adapters (one folder per database) implement it; row types never leave them.
 */
export interface CallStore {
  /** Which adapter this is, for logs and readiness. */
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Durably records a group of deliveries in one transaction: when the promise
   * resolves, every record is committed (fsynced). Results are in input order.
   */
  recordCallbacks(records: readonly CallbackRecord[]): Promise<RecordResult[]>;
  /** The stored call with this sid, or null. */
  getCall(sid: string): Promise<StoredCall | null>;
  /** Quarantined requests, newest first. */
  listQuarantine(query: QuarantineQuery): Promise<QuarantinedRequest[]>;
  /** One page of calls matching a filter, newest first (keyset pagination). */
  listCalls(query: CallListQuery): Promise<CallPage>;
  /** Every call matching a filter, newest first, read in chunks (never all in memory). */
  streamCalls(filter: CallFilter): AsyncIterable<StoredCall>;
  /**
   * Recomputes the stored classification of every call whose classifier_version is not
   * `classifierVersion`, in batches of `batchSize` (one short transaction each).
   */
  reclassifyCalls(options: ReclassifyOptions): Promise<ReclassifyResult>;
  /** Figures of the calls a filter selects (docs/statistics.md: rollups when exact, else a scan). */
  statsSummary(query: SummaryQuery): Promise<SummaryAnswer>;
  /** Figures per time bucket, every bucket present. */
  statsTimeseries(query: TimeseriesQuery): Promise<TimeseriesAnswer>;
  /** Figures per value of one field, largest attempts first. */
  statsBreakdown(query: BreakdownQuery): Promise<BreakdownAnswer>;
  /**
   * Recomputes the statistics rollups of every hour holding a call set up in [from, to)
   * (everything when omitted); returns how many hours. Ingest and reclassification keep
   * rollups exact on their own: this is for repairs and imports.
   */
  rebuildStatsRollups(range?: { from?: number; to?: number }): Promise<number>;
  /** Every delivery recorded for a sid (accepted, duplicate, conflict), oldest first. */
  listDeliveries(sid: string): Promise<Delivery[]>;
  /** The conflicting versions of a sid, oldest first, each with the fields that differ from the stored call. */
  listConflicts(sid: string): Promise<ConflictingVersion[]>;
  /** The relay outbox: deliveries waiting to be passed on to the app's own handler (src/relay/). */
  readonly relay: RelayOutbox;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A request as it reached a callback endpoint, before any interpretation. */
export interface RawRequest {
  /** Unix milliseconds. */
  receivedAt: number;
  method: string;
  /** The path with any secret segment replaced by `[secret]`. */
  path: string;
  /** The exact query string, without `?`. */
  query: string;
  /** The request body as text, for POST; null for GET. */
  body: string | null;
  contentType: string | null;
  sourceIp: string;
}

/** One delivery to record: the raw request and what parsing made of it. */
export type CallbackRecord =
  | { raw: RawRequest; kind: 'event'; event: CallEvent; contentHash: string; classification: StoredClassification }
  | { raw: RawRequest; kind: 'malformed'; problems: FieldProblem[]; sid: string | null };

/**
 * What happened to one delivery. `spooled`: the database was unavailable, so the delivery
 * was written to the local spool (durably) and is moved into the database later; only
 * the spooling decorator (src/storage/spool/) answers it, never a database adapter.
 */
export type RecordResult = 'accepted' | 'duplicate' | 'conflict' | 'quarantined' | 'spooled';

/** The part of a call's status that is stored with it, so that filters and statistics are fast. */
export interface StoredClassification {
  outcome: Outcome;
  ended_by: EndedBy;
  reason: string;
  reason_source: ReasonSource;
  classifier_version: number;
}

/** A call as stored: the first version LINE Planet sent, and what we know about its delivery. */
export interface StoredCall extends CallEvent, StoredClassification {
  /** Unix milliseconds of the first delivery. */
  received_at: number;
  /** How many distinct conflicting versions of this sid arrived after the first. */
  conflicts: number;
  raw_request_id: number;
}

/** A call with its freshly computed status, as the API shows it. */
export interface CallWithStatus extends StoredCall {
  status: CallStatus;
}

export interface QuarantineQuery {
  limit: number;
  /** Only entries with an id lower than this (pagination). */
  beforeId?: number;
}

/** A refused callback, kept so that nothing sent to us disappears. */
export interface QuarantinedRequest {
  id: number;
  raw_request_id: number;
  received_at: number;
  method: string;
  path: string;
  query: string;
  body: string | null;
  source_ip: string;
  reasons: FieldProblem[];
}

/** Where a page of calls ended: the last call's time (on the filter's time field) and id. */
export interface CallPosition {
  time: number;
  id: number;
}

export interface CallListQuery {
  filter: CallFilter;
  limit: number;
  /** Only calls strictly after this position in newest-first order (the next page). */
  after?: CallPosition;
}

export interface CallPage {
  calls: StoredCall[];
  /** The position to continue from, or null when this was the last page. */
  next: CallPosition | null;
}

export interface ReclassifyOptions {
  /** The version that is current: calls stored with any other are reclassified. */
  classifierVersion: number;
  /** Computes the stored classification of a call (the classifier, injected: storage imports no logic). */
  classify: (call: StoredCall) => StoredClassification;
  /** Calls per transaction. */
  batchSize?: number;
  /** Called after each committed batch, with the running total. */
  onProgress?: (done: number) => void;
  /** Stops between batches (each committed batch stays committed). */
  signal?: AbortSignal;
}

export interface ReclassifyResult {
  /** Calls whose stored classification was recomputed. */
  reclassified: number;
  /** Of those, calls whose outcome, ended_by, reason or reason_source changed. */
  changed: number;
}

/** What the HTTP layer may know of the spool: for /readyz and /metrics. */
export interface SpoolStatus {
  /** Records waiting in the spool. */
  readonly pending: number;
  /** Records the database refused for a reason other than availability, kept apart in the spool file. */
  readonly held: number;
  /** Calls `listener` after each replayed batch, with what the database made of it. */
  onReplayed(listener: (records: readonly CallbackRecord[], results: readonly RecordResult[]) => void): void;
}

/** What a store does with deliveries when it records them. */
export interface RecordOptions {
  /**
   * Write a relay outbox row for each Call Event delivery whose result is in
   * RELAYED_RESULTS, in the transaction that records it (CALL_EVENT_RELAY_URL is set).
   */
  relayCallEvents?: boolean;
}

/**
 * The results whose delivery is relayed: every delivery that was not quarantined. Without
 * callevt the app's handler would have seen LINE Planet's repeats and conflicting versions
 * too, and may rely on seeing them; a quarantined request was answered 4xx and never was an
 * event (it stays in the quarantine for inspection).
 */
export const RELAYED_RESULTS: ReadonlySet<RecordResult> = new Set(['accepted', 'duplicate', 'conflict']);

/** Which endpoint a relayed request came from; Agent Call Status joins it later. */
export type RelayKind = 'call-event' | 'agent-call-status';

/** One relayed request as it waits in the outbox: the raw request, and its delivery state. */
export interface RelayItem {
  id: number;
  /** Stable across attempts and crashes: the `webhook-id` header, the app's de-duplication key. */
  deliveryId: string;
  kind: RelayKind;
  sid: string;
  receivedAt: number;
  method: string;
  query: string;
  body: string | null;
  contentType: string | null;
  sourceIp: string;
  /** Attempts started so far, this one included once leased. */
  attempts: number;
  lastError: string | null;
}

/** What one attempt came to, for RelayOutbox.settle. */
export type RelaySettlement =
  | { id: number; outcome: 'delivered' }
  | { id: number; outcome: 'retry'; error: string; nextAttemptAt: number }
  | { id: number; outcome: 'dead'; error: string };

/** The outbox at a glance. */
export interface RelayStatus {
  /** Waiting: due now, backing off, or behind an earlier item of their sid (not leased). */
  pending: number;
  /** Leased by a relay worker (being sent now, or a dead worker's until its lease expires). */
  inFlight: number;
  /** Delivered rows still kept (null when not counted: the count scans the table). */
  delivered: number | null;
  /** Gave up after RELAY_MAX_ATTEMPTS: the dead-letter list. */
  dead: number;
  /** Receive time (Unix ms) of the oldest pending or in-flight item, or null. */
  oldestPendingReceivedAt: number | null;
}

/** An item the relay gave up on. */
export interface DeadLetter {
  id: number;
  delivery_id: string;
  kind: RelayKind;
  sid: string;
  method: string;
  received_at: number;
  attempts: number;
  last_error: string | null;
  /** When it was given up, Unix ms. */
  dead_at: number;
}

/**
 * The relay outbox of a store. Rows are written by recordCallbacks (enqueueing happens
 * inside its transaction); a relay worker leases due rows, sends them and settles them.
 */
export interface RelayOutbox {
  /**
   * Leases up to `limit` due items for `leaseMs` (counting one attempt each): pending, due,
   * not leased (or the lease expired), and first of their sid among the pending ones, so a
   * sid's items go one at a time in order. Oldest first. Several receivers never lease the
   * same item at once (PostgreSQL: FOR UPDATE SKIP LOCKED).
   */
  lease(options: { owner: string; now: number; leaseMs: number; limit: number }): Promise<RelayItem[]>;
  /** Records what the attempts came to; rows whose lease `owner` no longer holds are left alone. */
  settle(owner: string, settlements: readonly RelaySettlement[], now: number): Promise<void>;
  status(now: number, options?: { countDelivered?: boolean }): Promise<RelayStatus>;
  /** Dead letters, newest first. */
  listDeadLetters(query: { limit: number; beforeId?: number }): Promise<DeadLetter[]>;
  /** Puts dead letters (these ids, or all) back in line with a fresh attempt count; returns how many. */
  retryDeadLetters(ids: readonly number[] | 'all', now: number): Promise<number>;
}
