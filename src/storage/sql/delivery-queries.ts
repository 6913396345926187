import type { Kysely } from 'kysely';
import { decodeCanonicalEvent } from '../../domain/deliveries/decode-canonical-event.js';
import { differingFields } from '../../domain/deliveries/differing-fields.js';
import type { ConflictingVersion, Delivery } from '../port.js';
import { callRowToCall } from './call-row.js';
import type { Database } from './schema-types.js';

/** The raw-request results that belong to a call (quarantined requests are not deliveries of it). */
const DELIVERY_RESULTS = ['accepted', 'duplicate', 'conflict'] as const;

/** Every delivery of a sid, oldest first, by the raw_requests_sid index (migration 3). Shared by every SQL adapter. */
export async function selectDeliveries(db: Kysely<Database>, sid: string): Promise<Delivery[]> {
  const rows = await db
    .selectFrom('raw_requests')
    .select(['id', 'received_at', 'method', 'path', 'query', 'body', 'content_type', 'source_ip', 'result'])
    .where('sid', '=', sid)
    .where('result', 'in', DELIVERY_RESULTS)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    received_at: Number(row.received_at),
    result: row.result as Delivery['result'],
  }));
}

/**
 * The conflicting versions of a sid, oldest first (found by the (sid, content_hash) key),
 * each decoded and compared with the stored call. Empty when the call is unknown.
 */
export async function selectConflicts(db: Kysely<Database>, sid: string): Promise<ConflictingVersion[]> {
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
