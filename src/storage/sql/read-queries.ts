import type { Kysely } from 'kysely';
import { canonicalSid } from '../../domain/canonical-sid.js';
import type { QuarantineQuery, QuarantinedRequest, StoredCall } from '../port.js';
import { callRowToCall, quarantineRowToEntry } from './call-row.js';
import type { Database } from './schema-types.js';

// Read queries written once with Kysely and shared by every SQL adapter.

/** The call of a sid, given in either case (canonical-sid.ts). */
export async function selectCall(db: Kysely<Database>, sid: string): Promise<StoredCall | null> {
  const row = await db.selectFrom('calls').selectAll().where('sid', '=', canonicalSid(sid)).executeTakeFirst();
  return row === undefined ? null : callRowToCall(row);
}

export async function selectQuarantine(db: Kysely<Database>, query: QuarantineQuery): Promise<QuarantinedRequest[]> {
  let q = db
    .selectFrom('quarantine')
    .innerJoin('raw_requests', 'raw_requests.id', 'quarantine.raw_request_id')
    .select([
      'quarantine.id',
      'quarantine.raw_request_id',
      'quarantine.received_at',
      'quarantine.reasons',
      'raw_requests.method',
      'raw_requests.path',
      'raw_requests.query',
      'raw_requests.body',
      'raw_requests.source_ip',
    ])
    .orderBy('quarantine.id', 'desc')
    .limit(query.limit);
  if (query.beforeId !== undefined) q = q.where('quarantine.id', '<', query.beforeId);
  const rows = await q.execute();
  return rows.map(quarantineRowToEntry);
}
