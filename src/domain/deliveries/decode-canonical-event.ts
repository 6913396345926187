import { CALL_FIELDS, type CallEvent } from '../call-event.js';

/**
 * Reads back the text canonicalizeEvent() wrote (`{"known":[[field,value],…],"extra":[[key,value],…]}`)
 * as a CallEvent under LINE Planet's field names.
 *
 * @example decodeCanonicalEvent(canonicalizeEvent(event)) // deep-equals event
 */
export function decodeCanonicalEvent(text: string): CallEvent {
  const parsed = JSON.parse(text) as { known?: Array<[string, unknown]>; extra?: Array<[string, string]> };
  if (!Array.isArray(parsed.known) || !Array.isArray(parsed.extra)) throw new Error('not a canonical call event');
  const known = new Map(parsed.known);
  // A field left out (added after the version was stored, or null) reads as absent.
  const event: Record<string, unknown> = Object.fromEntries(CALL_FIELDS.map((f) => [f.name, known.get(f.name) ?? null]));
  event.extra = Object.fromEntries(parsed.extra);
  return event as unknown as CallEvent;
}
