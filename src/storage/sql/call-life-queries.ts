import { type Kysely, sql } from 'kysely';
import { FIRST_BATCH_ROWS, nextBatchRows, restAfter } from './retention-pacing.js';
import type { AgentCallResult } from '../../domain/agent-call-status.js';
import type { CallType } from '../../domain/call-event.js';
import { canonicalSid } from '../../domain/canonical-sid.js';
import type {
  CallLife, CallStore, EndDeadline, LifecycleEntry, LifecycleQuery, NotifyRelayAttempt, NotifyRelayOutcome, StoredAgentCallStatus,
  StoredNotify,
} from '../port.js';
import { selectDeliveries } from './delivery-queries.js';
import { selectCall } from './read-queries.js';
import { lifecycleAfter, lifecycleBefore } from './lifecycle-rollups.js';
import type { Database } from './schema-types.js';
import { placeholders, type SqlStepRunner, type SqlSteps, sql as statement } from './sql-steps.js';

/** The part of the port about one call's life across callbacks, written once for every SQL adapter. */
export type CallLifeMethods = Pick<CallStore, 'getCallLife' | 'recordNotifyRelays' | 'listLifecycle' | 'countEndMissing' | 'flagEndMissing'>;

/**
 * Most notifies looked at per sweep transaction. Each transaction is sized from the last
 * one's time to stay near RETENTION_BATCH_TARGET_MS, with an equal rest after it: on SQLite
 * it runs on the event loop, and a backlog of 15,000 notifies crossing the deadline
 * between two sweeps (15 s at 1,000 Notifies/s) cost one 450 ms stall when swept at once
 * (bench/README.md, "The end_missing sweep").
 */
export const END_MISSING_SIDS_PER_TRANSACTION = 2_000;

/**
 * Reads go through Kysely; the writes that change lifecycle facts (relay attempts, the
 * end_missing sweep) run as steps, so that the lifecycle rollups follow in their transaction.
 */
export function createCallLifeMethods(db: Kysely<Database>, steps: SqlStepRunner): CallLifeMethods {
  return {
    getCallLife: (sid) => selectCallLife(db, sid),
    recordNotifyRelays: async (attempts) => {
      // Without waiting for the disk: see insertNotifyRelays.
      if (attempts.length > 0) await steps.transaction(() => insertNotifyRelays(steps.dialect, attempts), { durable: false });
    },
    listLifecycle: (query) => (query.lifecycle === 'end_missing' ? selectEndMissing(db, query) : selectNotifyMissing(db, query)),
    countEndMissing: (query) => countEndMissing(db, query),
    flagEndMissing: async (query) => {
      let flagged = 0;
      for (let limit = FIRST_BATCH_ROWS; ;) {
        const started = performance.now();
        const round = await steps.transaction(() => flagEndMissing(steps.dialect, query, limit));
        const tookMs = performance.now() - started;
        flagged += round.flagged;
        if (round.lookedAt < limit) return flagged;
        await restAfter(tookMs);
        limit = nextBatchRows(limit, tookMs, END_MISSING_SIDS_PER_TRANSACTION);
      }
    },
  };
}

async function selectCallLife(db: Kysely<Database>, givenSid: string): Promise<CallLife | null> {
  const sid = canonicalSid(givenSid);
  const [notifyRow, statusRow, call, relayRows, deliveries] = await Promise.all([
    db.selectFrom('notifies').selectAll().where('sid', '=', sid).executeTakeFirst(),
    db.selectFrom('agent_call_statuses').selectAll().where('sid', '=', sid).executeTakeFirst(),
    selectCall(db, sid),
    db.selectFrom('notify_relays').selectAll().where('sid', '=', sid).orderBy('attempted_at').orderBy('id').execute(),
    selectDeliveries(db, sid),
  ]);
  if (notifyRow === undefined && statusRow === undefined && call === null) return null;
  const notify: StoredNotify | null = notifyRow === undefined ? null : {
    sid: notifyRow.sid,
    from_service_id: notifyRow.from_service_id,
    from_user_id: notifyRow.from_user_id,
    to_service_id: notifyRow.to_service_id,
    to_user_id: notifyRow.to_user_id,
    type: notifyRow.type as CallType,
    param: notifyRow.param,
    stid: notifyRow.stid,
    app_svr_data: notifyRow.app_svr_data,
    extra: JSON.parse(notifyRow.extra) as Record<string, string>,
    received_at: Number(notifyRow.received_at),
    raw_request_id: Number(notifyRow.raw_request_id),
    conflicts: Number(notifyRow.conflicts),
  };
  const agentCallStatus: StoredAgentCallStatus | null = statusRow === undefined ? null : {
    sid: statusRow.sid,
    agent_type: statusRow.agent_type,
    media_source_type: statusRow.media_source_type,
    result: statusRow.result as AgentCallResult,
    fail_reason: statusRow.fail_reason,
    extra: JSON.parse(statusRow.extra) as Record<string, string>,
    received_at: Number(statusRow.received_at),
    raw_request_id: Number(statusRow.raw_request_id),
    conflicts: Number(statusRow.conflicts),
  };
  const relays = relayRows.map((r): NotifyRelayAttempt => ({
    sid: r.sid,
    attempted_at: Number(r.attempted_at),
    outcome: r.outcome as NotifyRelayOutcome,
    status: r.status === null ? null : Number(r.status),
    latency_ms: Number(r.latency_ms),
    error: r.error,
  }));
  return { sid, notify, agentCallStatus, call, relays, deliveries };
}

/**
 * The batch is committed as a whole, without waiting for the disk (durable: false): an
 * attempt is written after LINE Planet got its answer, so a crash can lose the last ones
 * whatever the commit waits for, and on SQLite the fsync would stall the event loop every
 * Notify waits on (bench/notify). The next durable commit flushes it anyway.
 */
function* insertNotifyRelays(dialect: SqlStepRunner['dialect'], attempts: readonly NotifyRelayAttempt[]): SqlSteps<void> {
  const before = yield* lifecycleBefore(dialect, attempts.map((a) => a.sid));
  for (const a of attempts) {
    yield statement('INSERT INTO notify_relays (sid, attempted_at, outcome, status, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?)',
      a.sid, a.attempted_at, a.outcome, a.status, a.latency_ms, a.error);
  }
  yield* lifecycleAfter(before);
}

/** A sid without a Call Event. */
const NO_CALL = sql<boolean>`NOT EXISTS (SELECT 1 FROM calls WHERE calls.sid = notifies.sid)`;

/**
 * The notifies past their deadline without a call: those a sweep found missing
 * (notifies_end_missing) and those no sweep has looked at yet (notifies_end_unchecked).
 * Both sets stay small, whatever the number of notifies kept: a notified call that ended
 * is looked at once and never again.
 */
function endMissingParts(db: Kysely<Database>, query: EndDeadline) {
  const cutoff = query.now - query.deadlineMs;
  const flagged = db.selectFrom('notifies').where(sql<boolean>`end_missing = 1`).where('received_at', '<', cutoff).where(NO_CALL);
  const unchecked = db.selectFrom('notifies').where(sql<boolean>`end_checked_at IS NULL`).where('received_at', '<', cutoff).where(NO_CALL);
  return [flagged, unchecked] as const;
}

const END_MISSING_COLUMNS = ['id', 'sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'received_at'] as const;

async function selectEndMissing(db: Kysely<Database>, query: LifecycleQuery): Promise<LifecycleEntry[]> {
  const [flagged, unchecked] = endMissingParts(db, query);
  const rows = await flagged.select(END_MISSING_COLUMNS).unionAll(unchecked.select(END_MISSING_COLUMNS))
    .orderBy('received_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(({ id: _id, received_at, ...r }) => ({ ...r, notified_at: Number(received_at), setup_time: null, ended_at: null }));
}

/** Calls set up since the first Notify ever received, without a Notify: none while Notify is not routed here. */
async function selectNotifyMissing(db: Kysely<Database>, query: LifecycleQuery): Promise<LifecycleEntry[]> {
  const first = await db.selectFrom('notifies').select((eb) => eb.fn.min('received_at').as('first')).executeTakeFirst();
  if (first?.first === null || first?.first === undefined) return [];
  const since = Math.floor(Number(first.first) / 1000);
  const rows = await db.selectFrom('calls')
    .select(['sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'setup_time', 'received_at'])
    .where('setup_time', '>=', since)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('notifies').select(sql`1`.as('one')).whereRef('notifies.sid', '=', 'calls.sid'))))
    .orderBy('setup_time', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(({ received_at, setup_time, ...r }) => ({
    ...r, notified_at: null, setup_time: Number(setup_time), ended_at: Number(received_at),
  }));
}

/**
 * How many notified calls are past their deadline without a Call Event: the flagged ones
 * from the lifecycle rollups' `end_missing` counter (a row per quarter-hour, kept exact by
 * every write that flags or clears one), plus those past the deadline the sweep has not
 * looked at yet (a partial index, which the sweep keeps short). Counting the flagged
 * notifies themselves walked every one of them at each /metrics scrape, on the event loop:
 * 83–213 ms at 300,000 (bench/README.md, "The end_missing sweep"). Notifies removed by
 * retention while their rollups stay are still counted, as the statistics count them.
 */
async function countEndMissing(db: Kysely<Database>, query: EndDeadline): Promise<number> {
  // One statement, one snapshot: a sweep running meanwhile moves notifies from one part to the other.
  const [, unchecked] = endMissingParts(db, query);
  const { rows } = await sql<{ n: number | string | null }>`SELECT
    (SELECT COALESCE(SUM(n), 0) FROM lifecycle_rollups WHERE counter = 'end_missing')
    + (${unchecked.select((eb) => eb.fn.countAll().as('c'))}) AS n`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Looks once at each notify newly past its deadline: without a call it is marked
 * end_missing (counted), with one it is marked checked. Takes up to `limit` notifies,
 * oldest first; the lifecycle rollups follow in the same transaction. Row locks (and on PostgreSQL the sids' advisory
 * locks) make each mark happen once when several receivers sweep at the same time.
 */
function* flagEndMissing(dialect: SqlStepRunner['dialect'], query: EndDeadline, limit: number): SqlSteps<{ flagged: number; lookedAt: number }> {
  const cutoff = query.now - query.deadlineMs;
  // Only the notifies not looked at yet (a partial index holds just those): a flag that a
  // late Call Event makes wrong is cleared by that Call Event's own write (lifecycleAfter),
  // so the sweep never reads the flagged ones, whose number only grows.
  const { rows } = yield statement('SELECT sid FROM notifies WHERE end_checked_at IS NULL AND received_at < ? ORDER BY received_at LIMIT ?', cutoff, limit);
  const sids = rows.map((r) => String(r.sid));
  if (sids.length === 0) return { flagged: 0, lookedAt: 0 };
  const before = yield* lifecycleBefore(dialect, sids);
  const list = placeholders(sids.length);
  const missing = yield statement(`UPDATE notifies SET end_checked_at = ?, end_missing = 1
    WHERE end_checked_at IS NULL AND received_at < ? AND sid IN (${list})
      AND NOT EXISTS (SELECT 1 FROM calls WHERE calls.sid = notifies.sid)`, query.now, cutoff, ...sids);
  yield statement(`UPDATE notifies SET end_checked_at = ? WHERE end_checked_at IS NULL AND received_at < ? AND sid IN (${list})`, query.now, cutoff, ...sids);
  yield* lifecycleAfter(before);
  return { flagged: missing.changes, lookedAt: sids.length };
}
