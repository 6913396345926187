import type { AgentCallStatus } from '../domain/agent-call-status.js';
import type { LifecycleTotals } from '../domain/stats/lifecycle/lifecycle-figures.js';
import type { CallEvent, FieldProblem } from '../domain/call-event.js';
import type { Notify } from '../domain/notify.js';
import type { GroupCallEvent } from '../domain/group-call-event.js';
import type { GroupSession, ParticipantStay } from '../domain/group/group-session.js';
import type { GroupCallFilter } from '../domain/group/parse-group-call-filter.js';
import type { StayStatus } from '../domain/group/stay-status.js';
import type {
  GroupBreakdownAnswer, GroupBreakdownQuery, GroupSummaryAnswer, GroupSummaryQuery, GroupTimeseriesAnswer, GroupTimeseriesQuery,
} from '../domain/group/group-stats-query.js';
import type { CallFilter } from '../domain/call-filter.js';
import type { CallStatus, Outcome, ReasonSource } from '../domain/classify/call-status.js';
import type { EndedBy } from '../domain/classify/release-codes.js';
import type { ErasureTarget } from '../domain/privacy/erasure-target.js';
import type { RetentionPolicy } from '../domain/privacy/retention-policy.js';
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
   * `onCommitted`, when the store commits before the disk has the commit (SQLite: the
   * WAL's fsync runs after, off the event loop), gets the results at that moment: the
   * rows are in the database and survive a killed process, not yet a power cut. A caller
   * may start work that needs the rows there (the Notify relay), never acknowledge.
   */
  recordCallbacks(records: readonly CallbackRecord[], onCommitted?: (results: RecordResult[]) => void): Promise<RecordResult[]>;
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
   * The call lifecycle counts of each bucket (docs/spec/outcomes.md §3), from the lifecycle
   * rollups and, for parts of buckets that are not whole quarter-hours, the stored rows.
   */
  lifecycleTotals(query: LifecycleTotalsQuery): Promise<LifecycleTotals[]>;
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
  /**
   * Records deliveries whose raw requests already have an id, deciding each exactly as
   * recordCallbacks does (one transaction, results in input order). `replay`: quarantined
   * raw requests of this database; each one's result and sid are updated, its quarantine
   * entry gets the new reasons or, once it parsed, is removed. `rebuild`: raw requests of
   * another database, inserted here with their ids, the statistics rollups left to one
   * rebuildStatsRollups at the end (rebuild-from-raw.ts). `dryRun`: the transaction is rolled
   * back, so the results say what would happen and nothing is written. A replayed record
   * whose quarantine entry is gone when its transaction starts (another process replayed
   * it meanwhile) is left alone: `already_replayed`.
   */
  recordStoredCallbacks(records: readonly StoredCallbackRecord[], options: { mode: 'replay' | 'rebuild'; dryRun?: boolean }): Promise<StoredRecordResult[]>;
  /** The raw requests and the tables derived from them, read in chunks by key (quarantine replay, rebuild and its check). */
  derivedRows(): DerivedRowsReader;
  /**
   * Erases one user (docs/operations.md, "Erasing a person"): in one transaction, every
   * place listed in storage/sql/personal-data.ts loses the user's id (a random pseudonym
   * per erasure instead), their side's IPs and the app's data; an audit row is added.
   */
  eraseUser(request: ErasureRequest): Promise<ErasureReceipt>;
  /**
   * Applies a retention policy once: removes and truncates in batches (one short transaction
   * each, yielding between them) what the policy no longer keeps; or only counts (dryRun).
   */
  applyRetention(options: RetentionRunOptions): Promise<RetentionReport>;
  /**
   * Everything known of one sid across callbacks (Notify, Agent Call Status, Call Event,
   * relay attempts, every delivery), or null when no callback carried it.
   */
  getCallLife(sid: string): Promise<CallLife | null>;
  /** Durably records Notify relay attempts (written after the answer, in their own commit). */
  recordNotifyRelays(attempts: readonly NotifyRelayAttempt[]): Promise<void>;
  /** Calls in one lifecycle exception (end_missing, notify_missing), newest first. */
  listLifecycle(query: LifecycleQuery): Promise<LifecycleEntry[]>;
  /** How many notified calls are past their end deadline without a Call Event. */
  countEndMissing(query: EndDeadline): Promise<number>;
  /**
   * Marks the notified calls newly past their end deadline; returns how many were marked
   * (each Notify is marked once, whichever receiver sees it first: a counter's increments).
   */
  flagEndMissing(query: EndDeadline): Promise<number>;
  /** The relay outbox: deliveries waiting to be passed on to the app's own handler (src/relay/). */
  readonly relay: RelayOutbox;
  /** One group call (room session) rebuilt from its stored events, with its stays; null when no event of the sid is stored. */
  getGroupCall(sid: string, clock: GroupStateClock): Promise<StoredGroupCall | null>;
  /** One page of group calls matching a filter, newest start first (keyset pagination). */
  listGroupCalls(query: GroupCallListQuery): Promise<GroupCallPage>;
  /** The stays of each of these group sids, in the builder's order (a group export's `rows=stays`); a sid without stays is absent. */
  listGroupStays(sids: readonly string[]): Promise<Map<string, ParticipantStay[]>>;
  /** How many stored sessions have no sc=E yet, by their state now (for /metrics): read from the index of open sessions. */
  countOpenGroupSessions(clock: GroupStateClock): Promise<OpenGroupSessionCounts>;
  /** The stays of sessions started at or after `since` (Unix ms), by status (for /metrics); statuses without a stay are absent. */
  countRecentGroupStays(since: number): Promise<Partial<Record<ParticipantStay['status'], number>>>;
  /** The group figures of the sessions a filter selects (docs/statistics.md, "Group figures": rollups when exact, else a scan). */
  groupStatsSummary(query: GroupSummaryQuery): Promise<GroupSummaryAnswer>;
  /** Group figures per time bucket (by started_at), every bucket present. */
  groupStatsTimeseries(query: GroupTimeseriesQuery): Promise<GroupTimeseriesAnswer>;
  /** Group figures per value of one dimension, largest `sessions` first (docs/spec/group-calls.md §4). */
  groupStatsBreakdown(query: GroupBreakdownQuery): Promise<GroupBreakdownAnswer>;
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
  /**
   * Why the delivery was refused before its content was read (a query or body over the
   * limit, so the stored text is cut or absent); kept so that replay and rebuild refuse
   * it the same way instead of parsing what is left.
   */
  unreadReasons?: readonly FieldProblem[] | null;
}

/** A raw request as stored, with its id and what recording it gave. */
export interface StoredRawRequest extends RawRequest {
  id: number;
  result: RecordResult;
}

/** What recording a delivery read again did: a RecordResult, or nothing when another replay took it first. */
export type StoredRecordResult = RecordResult | 'already_replayed';

/** A delivery read again from its stored raw request (replay, rebuild). */
export type StoredCallbackRecord = CallbackRecord & { rawRequestId: number };

/** A conflicting version as stored, for comparing two databases. */
export interface StoredConflict {
  sid: string;
  content_hash: string;
  received_at: number;
  raw_request_id: number;
}

/** A stored group event as two databases are compared: what identifies it and its content. */
export interface StoredGroupEvent {
  raw_request_id: number;
  sid: string;
  /** The event key (canonical-group-call-event.ts), as JSON. */
  key: string;
  content_hash: string;
  conflicts: number;
}

/** A quarantine entry as stored, for comparing two databases. */
export interface StoredQuarantineEntry {
  id: number;
  raw_request_id: number;
  received_at: number;
  reasons: FieldProblem[];
}

/** One statistics rollup row, every column (numbers as numbers, histograms as their stored text). */
export type StoredRollupRow = Record<string, string | number> & { slot: number; dim: string; value: string };

/**
 * Reads raw requests and derived rows in chunks, in key order (bounded memory however
 * large the database): what quarantine replay and `callevt rebuild` need.
 */
export interface DerivedRowsReader {
  /** Raw requests with an id above `afterId`, in id order, at most `limit`. */
  rawRequestsAfter(afterId: number, limit: number): Promise<StoredRawRequest[]>;
  /** The raw requests with these ids (those still stored). */
  rawRequestsById(ids: readonly number[]): Promise<StoredRawRequest[]>;
  /** Which of these raw request ids are still stored (not pruned). */
  existingRawRequestIds(ids: readonly number[]): Promise<Set<number>>;
  /** The largest raw request id stored, 0 when none. */
  lastRawRequestId(): Promise<number>;
  /** Calls with an id above `afterId`, in id order, at most `limit`, with their ids. */
  callsAfter(afterId: number, limit: number): Promise<Array<{ id: number; call: StoredCall }>>;
  /** The calls of these sids (exact, lower-case sids). */
  callsBySid(sids: readonly string[]): Promise<StoredCall[]>;
  /** The conflicting versions of these sids. */
  conflictsOfSids(sids: readonly string[]): Promise<StoredConflict[]>;
  /** Stored group events whose raw request id is above `afterRawId`, in that order, at most `limit`. */
  groupEventsAfter(afterRawId: number, limit: number): Promise<StoredGroupEvent[]>;
  /** Quarantine entries whose raw request id is above `afterRawId`, in that order, at most `limit`. */
  quarantineAfter(afterRawId: number, limit: number): Promise<StoredQuarantineEntry[]>;
  /** Quarantine entries received in [since, until) or with these ids, oldest first, at most `limit` after `afterId`. */
  quarantineToReplay(query: { afterId: number; limit: number; since?: number; ids?: readonly number[] }): Promise<StoredQuarantineEntry[]>;
  /** Up to `limit` distinct rollup hour slots above `afterSlot`, ascending. */
  rollupSlotsAfter(afterSlot: number, limit: number): Promise<number[]>;
  /** Every rollup row of the slots in (fromSlot, toSlot], and which of those slots have a stale peak. */
  rollupsInSlots(fromSlot: number, toSlot: number): Promise<{ rows: StoredRollupRow[]; stalePeakSlots: Set<number> }>;
  /** Up to `limit` call lifecycle rollup rows of one counter with a slot above `afterSlot`, in slot order. */
  lifecycleRollupsAfter(counter: string, afterSlot: number, limit: number): Promise<LifecycleRollupRow[]>;
  /** The call lifecycle rollup rows of one counter in the slots (fromSlot, toSlot]. */
  lifecycleRollupsInSlots(counter: string, fromSlot: number, toSlot: number): Promise<LifecycleRollupRow[]>;
}

/** One row of the call lifecycle rollups (migration 14): a count per quarter-hour slot, counter and value. */
export interface LifecycleRollupRow {
  slot: number;
  counter: string;
  value: string;
  n: number;
}

/** One delivery to record: the raw request and what parsing made of it. */
export type CallbackRecord =
  | { raw: RawRequest; kind: 'event'; event: CallEvent; contentHash: string; classification: StoredClassification }
  | { raw: RawRequest; kind: 'notify'; notify: Notify; contentHash: string; content: string }
  | { raw: RawRequest; kind: 'agent-call-status'; agentCallStatus: AgentCallStatus; contentHash: string; content: string }
  | { raw: RawRequest; kind: 'group-call-event'; groupEvent: GroupCallEvent; contentHash: string; content: string }
  | { raw: RawRequest; kind: 'malformed'; problems: FieldProblem[]; sid: string | null };

/** The callbacks other than the Call Event that are kept once per sid (docs/spec/callbacks.md §3, §4). */
export type KeyedCallbackRecord = Extract<CallbackRecord, { kind: 'notify' | 'agent-call-status' }>;

/** The sid a record is about, when it has one. */
export function sidOfRecord(record: CallbackRecord): string | null {
  switch (record.kind) {
    case 'event':
      return record.event.sid;
    case 'notify':
      return record.notify.sid;
    case 'agent-call-status':
      return record.agentCallStatus.sid;
    case 'group-call-event':
      return record.groupEvent.sid;
    case 'malformed':
      return record.sid;
  }
}

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
  /** Called after each committed batch with the table it worked on, before the next (progress; tests deliver in between). */
  onBatch?: (table: string) => Promise<void> | void;
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

/** Who asked for an erasure: an entry point, never a person (the audit row holds no personal data). */
export type ErasureActor = 'cli' | 'api';

export interface ErasureRequest {
  target: ErasureTarget;
  actor: ErasureActor;
  /** Unix milliseconds, recorded in the audit row. */
  now: number;
  /** The replacement of the user id; a fresh random one when omitted (the spool passes the one it used). */
  pseudonym?: string;
}

/** What an erasure touched: rows changed per table (the places of storage/sql/personal-data.ts). */
export interface ErasureReceipt {
  /** The audit row's id. */
  id: number;
  /** Unix milliseconds. */
  erased_at: number;
  touched: Record<string, number>;
}

export interface RetentionRunOptions {
  policy: RetentionPolicy;
  /** Unix milliseconds: every limit counts back from it. */
  now: number;
  /** Count what would go, change nothing. */
  dryRun?: boolean;
  /** Rows per transaction. */
  batchSize?: number;
  /** Stops between batches (each committed batch stays committed). */
  signal?: AbortSignal;
  /** Called after each committed batch with the table it worked on, before the next (progress; tests deliver in between). */
  onBatch?: (table: string) => Promise<void> | void;
}

/** What a retention run removed (or would remove) and truncated, rows per table. */
export interface RetentionReport {
  dryRun: boolean;
  removed: Record<string, number>;
  ipsTruncated: Record<string, number>;
  /** The longest one transaction took, ms: on SQLite, the longest callbacks of the same process waited. */
  longestBatchMs: number;
}

/** A Notify as stored: the first version received. */
export interface StoredNotify extends Notify {
  /** Unix milliseconds of the first delivery. */
  received_at: number;
  raw_request_id: number;
  /** How many distinct conflicting versions arrived after the first. */
  conflicts: number;
}

/** An Agent Call Status as stored: the first version received. */
export interface StoredAgentCallStatus extends AgentCallStatus {
  /** Unix milliseconds of the first delivery. */
  received_at: number;
  raw_request_id: number;
  conflicts: number;
}

/** The buckets of a lifecycle statistics query, in Unix seconds: [b(i), b(i+1)) ∩ [from, to). */
export interface LifecycleTotalsQuery {
  from: number;
  to: number;
  /** Ascending; one bucket fewer than boundaries. A summary is one bucket [from, to). */
  boundaries: readonly number[];
  /** Only the counters of time series points (no histograms, reasons or ends without Notify): cheaper edges. */
  pointsOnly?: boolean;
}

/** How a relay attempt of a Notify to the app's own handler ended (docs/api.md). */
export type NotifyRelayOutcome = 'ok' | 'http_error' | 'timeout' | 'unreachable';

/** One attempt at passing a Notify on to the app's own notify handler (NOTIFY_RELAY_URL). */
export interface NotifyRelayAttempt {
  sid: string;
  /** Unix milliseconds when the attempt started. */
  attempted_at: number;
  outcome: NotifyRelayOutcome;
  /** The handler's HTTP status, null when none came. */
  status: number | null;
  latency_ms: number;
  /** What went wrong, in a few words (no URL: it may carry a secret). */
  error: string | null;
}

/** One sid's life across callbacks, joined on sid. */
export interface CallLife {
  sid: string;
  notify: StoredNotify | null;
  agentCallStatus: StoredAgentCallStatus | null;
  call: StoredCall | null;
  relays: NotifyRelayAttempt[];
  /** Every delivery of the sid, whichever callback, oldest first. */
  deliveries: Delivery[];
}

/** When a notified call's Call Event is overdue: `deadlineMs` after the Notify was received. */
export interface EndDeadline {
  /** Unix milliseconds. */
  now: number;
  deadlineMs: number;
}

export type LifecycleException = 'end_missing' | 'notify_missing';

export interface LifecycleQuery extends EndDeadline {
  lifecycle: LifecycleException;
  limit: number;
}

/** A call in a lifecycle exception, with the facts of the callback that was received. */
export interface LifecycleEntry {
  sid: string;
  from_service_id: string;
  from_user_id: string;
  to_service_id: string;
  to_user_id: string;
  type: string;
  /** Unix milliseconds when the Notify was received (end_missing), else null. */
  notified_at: number | null;
  /** Unix seconds the call was set up (notify_missing), else null. */
  setup_time: number | null;
  /** Unix milliseconds when the Call Event was received (notify_missing), else null. */
  ended_at: number | null;
}

/** What a store does with deliveries when it records them. */
export interface RecordOptions {
  /**
   * Write a relay outbox row for each Call Event delivery whose result is in
   * RELAYED_RESULTS, in the transaction that records it (CALL_EVENT_RELAY_URL is set).
   */
  relayCallEvents?: boolean;
  /** The same for Agent Call Status deliveries (AGENT_CALL_STATUS_RELAY_URL is set too). */
  relayAgentCallStatuses?: boolean;
}

/**
 * The results whose delivery is relayed: every delivery that was not quarantined. Without
 * callevt the app's handler would have seen LINE Planet's repeats and conflicting versions
 * too, and may rely on seeing them; a quarantined request was answered 4xx and never was an
 * event (it stays in the quarantine for inspection).
 */
export const RELAYED_RESULTS: ReadonlySet<RecordResult> = new Set(['accepted', 'duplicate', 'conflict']);

/**
 * The outbox item a recorded delivery gives: Call Events (CALL_EVENT_RELAY_URL) and Agent
 * Call Statuses (AGENT_CALL_STATUS_RELAY_URL) whose result is relayed, each only when its
 * relay is on (a Notify has its own synchronous relay, NOTIFY_RELAY_URL).
 */
export function relayedOf(record: CallbackRecord, result: RecordResult, options: RecordOptions): Array<{ kind: RelayKind; sid: string; raw: RawRequest }> {
  if (!RELAYED_RESULTS.has(result)) return [];
  if (record.kind === 'event') return options.relayCallEvents === true ? [{ kind: 'call-event', sid: record.event.sid, raw: record.raw }] : [];
  if (record.kind === 'agent-call-status' && options.relayAgentCallStatuses === true) return [{ kind: 'agent-call-status', sid: record.agentCallStatus.sid, raw: record.raw }];
  return [];
}

/** Which endpoint a relayed request came from. */
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

/** A Group Call Event delivery (docs/spec/callbacks.md §2): kept once per event key, never per sid alone. */
export type GroupCallEventRecord = Extract<CallbackRecord, { kind: 'group-call-event' }>;

/**
 * What a group call's state is read with: stored sessions are `ended` or not, and one
 * without sc=E becomes `end_missing` once `deadlineMs` (GROUP_END_DEADLINE) has passed
 * since its last event (docs/spec/group-calls.md §1.5), so the time is a parameter.
 */
export interface GroupStateClock {
  /** Unix milliseconds. */
  now: number;
  deadlineMs: number;
}

/** A group call as stored: the session rebuilt from every stored event of its sid, with its stays. */
export interface StoredGroupCall extends GroupSession {
  /** Unix milliseconds of the latest event's ts: the end deadline counts from it. */
  last_event_at: number;
  /** Conflicting versions kept of the sid's events (the first version of each key is the event). */
  conflicts: number;
}

/** The session columns a list shows: a group call without its stays. */
export type GroupCallSummary = Omit<StoredGroupCall, 'stays'>;

/** A session as a list gives it: without its stays, with how many of them have each status (every status, 0 included). */
export interface GroupCallListItem extends GroupCallSummary {
  stay_counts: Record<StayStatus, number>;
}

/** Where a page of group calls ended: the last session's start and sid. */
export interface GroupCallPosition {
  started_at: number;
  sid: string;
}

export interface GroupCallListQuery {
  filter: GroupCallFilter;
  clock: GroupStateClock;
  limit: number;
  /** Only sessions strictly after this position in newest-first order (the next page). */
  after?: GroupCallPosition;
}

export interface GroupCallPage {
  calls: GroupCallListItem[];
  /** The position to continue from, or null when this was the last page. */
  next: GroupCallPosition | null;
}

/** Stored sessions without sc=E, by state (docs/spec/group-calls.md §1.5). */
export interface OpenGroupSessionCounts {
  in_progress: number;
  end_missing: number;
}

export type { GroupCallFilter, ParticipantStay };
