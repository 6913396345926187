import { type Kysely, sql } from 'kysely';
import type { AgentCallResult } from '../../domain/agent-call-status.js';
import type { CallType } from '../../domain/call-event.js';
import { canonicalSid } from '../../domain/canonical-sid.js';
import type {
  CallLife, CallStore, EndDeadline, LifecycleEntry, LifecycleQuery, NotifyRelayAttempt, NotifyRelayOutcome, StoredAgentCallStatus,
  StoredNotify,
} from '../port.js';
import { selectDeliveries } from './delivery-queries.js';
import { selectCall } from './read-queries.js';
import type { Database } from './schema-types.js';

/** The part of the port about one call's life across callbacks, written once for every SQL adapter. */
export type CallLifeMethods = Pick<CallStore, 'getCallLife' | 'recordNotifyRelays' | 'listLifecycle' | 'countEndMissing' | 'flagEndMissing'>;

export function createCallLifeMethods(db: Kysely<Database>): CallLifeMethods {
  return {
    getCallLife: (sid) => selectCallLife(db, sid),
    recordNotifyRelays: (attempts) => insertNotifyRelays(db, attempts),
    listLifecycle: (query) => (query.lifecycle === 'end_missing' ? selectEndMissing(db, query) : selectNotifyMissing(db, query)),
    countEndMissing: (query) => countEndMissing(db, query),
    flagEndMissing: (query) => flagEndMissing(db, query),
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

async function insertNotifyRelays(db: Kysely<Database>, attempts: readonly NotifyRelayAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  // One statement: the batch is committed as a whole.
  await db.insertInto('notify_relays').values(attempts.map((a) => ({ ...a }))).execute();
}

/** Notifies past their deadline whose sid has no call: the received_at index bounds the scan. */
function endMissingQuery(db: Kysely<Database>, query: EndDeadline) {
  return db.selectFrom('notifies')
    .where('received_at', '<', query.now - query.deadlineMs)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('calls').select(sql`1`.as('one')).whereRef('calls.sid', '=', 'notifies.sid'))));
}

async function selectEndMissing(db: Kysely<Database>, query: LifecycleQuery): Promise<LifecycleEntry[]> {
  const rows = await endMissingQuery(db, query)
    .select(['sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'received_at'])
    .orderBy('received_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  return rows.map(({ received_at, ...r }) => ({ ...r, notified_at: Number(received_at), setup_time: null, ended_at: null }));
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

async function countEndMissing(db: Kysely<Database>, query: EndDeadline): Promise<number> {
  const row = await endMissingQuery(db, query).select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function flagEndMissing(db: Kysely<Database>, query: EndDeadline): Promise<number> {
  const result = await db.updateTable('notifies').set({ end_missing_at: query.now })
    .where('end_missing_at', 'is', null)
    .where('received_at', '<', query.now - query.deadlineMs)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('calls').select(sql`1`.as('one')).whereRef('calls.sid', '=', 'notifies.sid'))))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
