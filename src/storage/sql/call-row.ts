import type { Selectable } from 'kysely';
import { CALL_FIELDS, type CallEventFields } from '../../domain/call-event.js';
import type { Outcome, ReasonSource } from '../../domain/classify/call-status.js';
import type { EndedBy } from '../../domain/classify/release-codes.js';
import type { QuarantinedRequest, StoredCall } from '../port.js';
import type { CallsTable, QuarantineTable, RawRequestsTable } from './schema-types.js';

export type CallRow = Selectable<CallsTable>;

/** Converts a database row to the domain's StoredCall (numbers as numbers, extra parsed). */
export function callRowToCall(row: CallRow): StoredCall {
  const fields: Record<string, unknown> = {};
  for (const f of CALL_FIELDS) {
    const value = row[f.name];
    fields[f.name] = f.column === 'text' || value === null ? value : Number(value);
  }
  return {
    ...(fields as unknown as CallEventFields),
    extra: JSON.parse(row.extra) as Record<string, string>,
    received_at: Number(row.received_at),
    conflicts: Number(row.conflicts),
    raw_request_id: Number(row.raw_request_id),
    outcome: row.outcome as Outcome,
    ended_by: row.ended_by as EndedBy,
    reason: row.reason,
    reason_source: row.reason_source as ReasonSource,
    classifier_version: Number(row.classifier_version),
  };
}

/** The joined quarantine + raw request row, as selected by listQuarantine. */
export type QuarantineJoinRow = Selectable<QuarantineTable> &
  Pick<Selectable<RawRequestsTable>, 'method' | 'path' | 'query' | 'body' | 'source_ip'>;

export function quarantineRowToEntry(row: QuarantineJoinRow): QuarantinedRequest {
  return {
    id: Number(row.id),
    raw_request_id: Number(row.raw_request_id),
    received_at: Number(row.received_at),
    method: row.method,
    path: row.path,
    query: row.query,
    body: row.body,
    source_ip: row.source_ip,
    reasons: JSON.parse(row.reasons) as QuarantinedRequest['reasons'],
  };
}
