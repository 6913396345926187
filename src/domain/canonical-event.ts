import { CALL_FIELDS, type CallEvent, type CallFieldSpec } from './call-event.js';

/**
 * A stable text form of an event's content: the same facts always give the same text,
 * whatever order the keys arrived in. Two deliveries of one `sid` are duplicates when
 * their canonical forms are equal, and conflicting versions otherwise.
 */
export function canonicalizeEvent(event: CallEvent, fields: readonly CallFieldSpec[] = CALL_FIELDS): string {
  const values = event as unknown as Record<string, unknown>;
  // A field added after the first release counts only when present: older hashes stay valid.
  const known = fields.flatMap((f) => (f.addedIn !== undefined && (values[f.name] ?? null) === null ? [] : [[f.name, values[f.name]]]));
  const extra = Object.keys(event.extra)
    .sort()
    .map((key) => [key, event.extra[key]]);
  return JSON.stringify({ known, extra });
}
