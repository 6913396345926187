import { CALL_EVENT_FIELDS } from '../call-event.js';
import { classifyCall } from '../classify/classify-call.js';
import type { LoggedCall } from './call-to-json.js';

/** The columns of a CSV export, in order: LINE Planet's fields, delivery facts, then the status. */
export const CSV_COLUMNS = [
  ...CALL_EVENT_FIELDS,
  'extra',
  'received_at',
  'conflicts',
  'raw_request_id',
  'outcome',
  'ended_by',
  'reason',
  'reason_source',
  'connected',
  'explanation',
  'classifier_version',
] as const;

/** The header line of a CSV export, with its CRLF (RFC 4180). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/**
 * One call as a CSV line with its CRLF. Absent values are empty cells; `extra` is a
 * JSON object; `received_at` is ISO-8601.
 */
export function callToCsvLine(call: LoggedCall): string {
  const status = classifyCall(call);
  const cells: Record<string, unknown> = {
    ...call,
    extra: Object.keys(call.extra).length === 0 ? '' : JSON.stringify(call.extra),
    received_at: new Date(call.received_at).toISOString(),
    outcome: status.outcome,
    ended_by: status.ended_by,
    reason: status.reason,
    reason_source: status.reason_source,
    connected: status.connected,
    explanation: status.explanation,
    classifier_version: status.classifier_version,
  };
  return `${CSV_COLUMNS.map((column) => csvCell(cells[column])).join(',')}\r\n`;
}

/**
 * One CSV cell: quoted when it holds a comma, a quote, CR or LF (or starts or ends with
 * a space), with quotes doubled.
 *
 * @example csvCell('say "hi", bye') // '"say ""hi"", bye"'
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
