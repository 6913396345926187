import { CALL_EVENT_FIELDS, type CallEvent } from '../call-event.js';

/**
 * The LINE Planet keys whose values differ between two versions of a call, in the
 * spec's order, then unknown (extra) keys by name: present in one version only counts.
 *
 * @example differingFields(stored, { ...stored, duration: 7 }) // ['duration']
 */
export function differingFields(stored: CallEvent, other: CallEvent): string[] {
  const known: string[] = CALL_EVENT_FIELDS.filter((field) => stored[field] !== other[field]);
  const keys = [...new Set([...Object.keys(stored.extra), ...Object.keys(other.extra)])].sort();
  return [...known, ...keys.filter((key) => stored.extra[key] !== other.extra[key])];
}

/** A field's value in a version: a known field, else an extra key (undefined when absent). */
export function fieldValue(event: CallEvent, field: string): unknown {
  return (CALL_EVENT_FIELDS as readonly string[]).includes(field) ? event[field as keyof CallEvent] : event.extra[field];
}
