import { CALL_EVENT_FIELDS } from '../call-event.js';
import { callToJson, type LoggedCall } from './call-to-json.js';

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

/** How CSV cells are written: safe for spreadsheets (the default), or exactly as stored. */
export interface CsvOptions {
  /** Write text cells that a spreadsheet would run as a formula exactly as stored. */
  raw?: boolean;
}

/**
 * The first characters that make a spreadsheet read a text cell as a formula (OWASP,
 * "CSV Injection"): `=`, `+`, `-`, `@`, tab and carriage return.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The header line of a CSV export, with its CRLF (RFC 4180). */
export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/**
 * One call as a CSV line with its CRLF. Absent values are empty cells; `extra` is a
 * JSON object; `received_at` is ISO-8601.
 */
export function callToCsvLine(call: LoggedCall, options: CsvOptions = {}): string {
  return callJsonToCsvLine(callToJson(call), options);
}

/** The same line from a call's JSON form (as the API answers it), so that a CLI reading a server writes identical CSV. */
export function callJsonToCsvLine(call: Record<string, unknown>, options: CsvOptions = {}): string {
  const status = (call.status ?? {}) as Record<string, unknown>;
  const extra = (call.extra ?? {}) as Record<string, unknown>;
  const cells: Record<string, unknown> = {
    ...call,
    ...status,
    extra: Object.keys(extra).length === 0 ? '' : JSON.stringify(extra),
  };
  return `${CSV_COLUMNS.map((column) => csvCell(cells[column], options)).join(',')}\r\n`;
}

/**
 * One CSV cell: quoted when it holds a comma, a quote, CR or LF (or starts or ends with
 * a space), with quotes doubled. A text value starting like a formula gets a leading
 * `'` and quotes, unless `raw`. Numbers and booleans are written as they are: a typed
 * number (`-5`) is a number to a spreadsheet too, never a formula, and prefixing it would
 * turn a numeric column into text.
 *
 * @example csvCell('say "hi", bye') // '"say ""hi"", bye"'
 * @example csvCell('=1+2')          // `"'=1+2"`
 * @example csvCell(-5)              // '-5'
 */
export function csvCell(value: unknown, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (typeof value === 'string' && options.raw !== true && FORMULA_START.test(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
