import type { Selectable } from 'kysely';
import { CALL_FIELDS } from '../../domain/call-event.js';
import type { QuarantinedRequest, StoredCall } from '../port.js';
import type { CallsTable, QuarantineTable, RawRequestsTable } from './schema-types.js';

export type CallRow = Selectable<CallsTable>;

/** The fields of CALL_FIELDS stored as text, and those stored as integers (read back as numbers). */
const TEXT_FIELDS = CALL_FIELDS.filter((f) => f.column === 'text').map((f) => f.name);
const NUMBER_FIELDS = CALL_FIELDS.filter((f) => f.column !== 'text').map((f) => f.name);
const CALL_FACTS = ['extra', 'received_at', 'conflicts', 'raw_request_id', 'outcome', 'ended_by', 'reason', 'reason_source', 'classifier_version'] as const;
/** Every key of a StoredCall in its order (the JSON and CSV follow it): filling a copy is far cheaper than adding keys. */
const CALL_TEMPLATE: Readonly<Record<string, unknown>> = Object.fromEntries([...CALL_FIELDS.map((f) => f.name), ...CALL_FACTS].map((k) => [k, null]));

/** Converts a database row to the domain's StoredCall (numbers as numbers, extra parsed). */
export function callRowToCall(row: CallRow): StoredCall {
  const values = row as unknown as Record<string, unknown>;
  const call: Record<string, unknown> = { ...CALL_TEMPLATE };
  for (const name of TEXT_FIELDS) call[name] = values[name];
  for (const name of NUMBER_FIELDS) {
    const value = values[name];
    call[name] = value === null ? null : Number(value);
  }
  call.extra = JSON.parse(row.extra);
  call.received_at = Number(row.received_at);
  call.conflicts = Number(row.conflicts);
  call.raw_request_id = Number(row.raw_request_id);
  call.outcome = row.outcome;
  call.ended_by = row.ended_by;
  call.reason = row.reason;
  call.reason_source = row.reason_source;
  call.classifier_version = Number(row.classifier_version);
  return call as unknown as StoredCall;
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
