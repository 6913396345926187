import { type Kysely, sql } from 'kysely';
import { canonicalSid } from '../../domain/canonical-sid.js';
import { decodeCanonicalEvent } from '../../domain/deliveries/decode-canonical-event.js';
import { differingFields } from '../../domain/deliveries/differing-fields.js';
import type { ConflictingVersion, Delivery } from '../port.js';
import { callRowToCall } from './call-row.js';
import type { Database } from './schema-types.js';

/** The later deliveries of a call (its first is the one the call row points at). */
const REPEAT_RESULTS = ['duplicate', 'conflict'] as const;
const DELIVERY_COLUMNS = ['id', 'received_at', 'method', 'path', 'query', 'body', 'content_type', 'source_ip', 'result'] as const;

/** Every delivery of a sid (in either case: canonical-sid.ts), oldest first (deliveriesQuery). */
export async function selectDeliveries(db: Kysely<Database>, sid: string): Promise<Delivery[]> {
  const rows = await deliveriesQuery(db, canonicalSid(sid)).execute();
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    received_at: Number(row.received_at),
    result: row.result as Delivery['result'],
  }));
}

/**
 * The query behind selectDeliveries, shared by every SQL adapter: the first (accepted)
 * delivery of each callback (Call Event, Notify, Agent Call Status) through its row's raw_request_id, the later ones through the partial index
 * raw_requests_sid_repeat (migration 6), which holds only requests not accepted. Quarantined
 * requests with the sid are not deliveries of the call (they never became it).
 */
export function deliveriesQuery(db: Kysely<Database>, sid: string) {
  const first = db.selectFrom('raw_requests').select(DELIVERY_COLUMNS)
    .where('id', '=', db.selectFrom('calls').select('raw_request_id').where('sid', '=', sid));
  // The first Notify and Agent Call Status of the sid, found the same way (migration 12).
  const firstNotify = db.selectFrom('raw_requests').select(DELIVERY_COLUMNS)
    .where('id', '=', db.selectFrom('notifies').select('raw_request_id').where('sid', '=', sid));
  const firstStatus = db.selectFrom('raw_requests').select(DELIVERY_COLUMNS)
    .where('id', '=', db.selectFrom('agent_call_statuses').select('raw_request_id').where('sid', '=', sid));
  const later = db.selectFrom('raw_requests').select(DELIVERY_COLUMNS)
    .where('sid', '=', sid)
    // The index's own condition as a literal, so that every planner sees the index applies.
    .where(sql<boolean>`result <> 'accepted'`)
    .where('result', 'in', REPEAT_RESULTS);
  return first.unionAll(firstNotify).unionAll(firstStatus).unionAll(later).orderBy('received_at').orderBy('id');
}

/**
 * The conflicting versions of a sid (in either case), oldest first (found by the (sid,
 * content_hash) key), each decoded and compared with the stored call. Empty when the call is unknown.
 */
export async function selectConflicts(db: Kysely<Database>, givenSid: string): Promise<ConflictingVersion[]> {
  const sid = canonicalSid(givenSid);
  const rows = await db
    .selectFrom('call_conflicts')
    .select(['id', 'received_at', 'raw_request_id', 'content_hash', 'event'])
    .where('sid', '=', sid)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const callRow = await db.selectFrom('calls').selectAll().where('sid', '=', sid).executeTakeFirst();
  const stored = callRow === undefined ? null : callRowToCall(callRow);
  return rows.map((row) => {
    const event = decodeCanonicalEvent(row.event);
    return {
      id: Number(row.id),
      received_at: Number(row.received_at),
      raw_request_id: Number(row.raw_request_id),
      content_hash: row.content_hash,
      event,
      differs: stored === null ? [] : differingFields(stored, event),
    };
  });
}
