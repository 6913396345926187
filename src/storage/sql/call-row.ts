import type { Selectable } from 'kysely';
import type { CallType } from '../../domain/call-event.js';
import type { Outcome, ReasonSource } from '../../domain/classify/call-status.js';
import type { EndedBy } from '../../domain/classify/release-codes.js';
import type { QuarantinedRequest, StoredCall } from '../port.js';
import type { CallsTable, QuarantineTable, RawRequestsTable } from './schema-types.js';

export type CallRow = Selectable<CallsTable>;

/** Converts a database row to the domain's StoredCall (numbers as numbers, extra parsed). */
export function callRowToCall(row: CallRow): StoredCall {
  return {
    sid: row.sid,
    from_service_id: row.from_service_id,
    from_user_id: row.from_user_id,
    to_service_id: row.to_service_id,
    to_user_id: row.to_user_id,
    type: row.type as CallType,
    stid: row.stid,
    app_svr_data: row.app_svr_data,
    setup_time: Number(row.setup_time),
    start_time: Number(row.start_time),
    end_time: Number(row.end_time),
    duration: Number(row.duration),
    billing_sec: nullableNumber(row.billing_sec),
    srcip: row.srcip,
    dstip: row.dstip,
    terminate: Number(row.terminate),
    disconnect_reason: nullableNumber(row.disconnect_reason),
    releaser_type: nullableNumber(row.releaser_type),
    call_end_reason: nullableNumber(row.call_end_reason),
    releaser: row.releaser,
    rel_code: Number(row.rel_code),
    rel_code_str: row.rel_code_str,
    user_rel_code: row.user_rel_code,
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

function nullableNumber(value: number | null): number | null {
  return value === null ? null : Number(value);
}
