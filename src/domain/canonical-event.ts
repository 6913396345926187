import type { CallEvent } from './call-event.js';
import { CALL_EVENT_FIELDS } from './call-event.js';

/**
 * A stable text form of an event's content: the same facts always give the same text,
 * whatever order the keys arrived in. Two deliveries of one `sid` are duplicates when
 * their canonical forms are equal, and conflicting versions otherwise.
 */
export function canonicalizeEvent(event: CallEvent): string {
  const known = CALL_EVENT_FIELDS.map((field) => [field, event[field]]);
  const extra = Object.keys(event.extra)
    .sort()
    .map((key) => [key, event.extra[key]]);
  return JSON.stringify({ known, extra });
}
