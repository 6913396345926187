import { AGENT_CALL_STATUS_FIELDS } from '../../domain/agent-call-status.js';
import { NOTIFY_FIELDS } from '../../domain/notify.js';
import type { KeyedCallbackRecord } from '../port.js';

/** The table of each once-per-sid callback (migration 12). */
export const KEYED_TABLES = { notify: 'notifies', 'agent-call-status': 'agent_call_statuses' } as const;

/** What one Notify or Agent Call Status puts in its table: the column names and their values, in order. */
export interface KeyedRow {
  table: (typeof KEYED_TABLES)[keyof typeof KEYED_TABLES];
  kind: KeyedCallbackRecord['kind'];
  sid: string;
  columns: string[];
  values: unknown[];
}

/**
 * The row of a Notify or Agent Call Status, shared by the SQL adapters: its fields (in
 * spec order), then extra, content_hash, received_at, raw_request_id.
 */
export function keyedRowOf(record: KeyedCallbackRecord, rawRequestId: number, text: (s: string) => string = (s) => s): KeyedRow {
  const facts = (record.kind === 'notify' ? record.notify : record.agentCallStatus) as unknown as Record<string, unknown>;
  const fields = record.kind === 'notify' ? NOTIFY_FIELDS : AGENT_CALL_STATUS_FIELDS;
  const columns = [...fields.map((f) => f.name), 'extra', 'content_hash', 'received_at', 'raw_request_id'];
  const values = [
    ...fields.map((f) => {
      const value = facts[f.name];
      return typeof value === 'string' ? text(value) : (value ?? null);
    }),
    text(JSON.stringify(facts.extra)),
    record.contentHash,
    record.raw.receivedAt,
    rawRequestId,
  ];
  return { table: KEYED_TABLES[record.kind], kind: record.kind, sid: String(facts.sid), columns, values };
}
