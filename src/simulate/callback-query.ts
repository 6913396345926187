import { CALL_EVENT_FIELDS, type CallEvent } from '../domain/call-event.js';
import type { Random } from './random.js';

/**
 * The query keys LINE Planet would send for an event: every non-null field as text,
 * then the unknown keys. The inverse of parseCallEvent for any event it produced.
 */
export function callbackValues(event: CallEvent): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const field of CALL_EVENT_FIELDS) {
    const value = event[field];
    if (value !== null) pairs.push([field, String(value)]);
  }
  for (const [key, value] of Object.entries(event.extra)) pairs.push([key, value]);
  return pairs;
}

/** The pairs as a URL query string (without `?`), form-encoded as LINE Planet's GET does. */
export function toQueryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return new URLSearchParams(pairs as Array<[string, string]>).toString();
}

/** The same pairs in another order: a re-delivery need not keep the key order. */
export function shufflePairs<T>(random: Random, pairs: readonly T[]): T[] {
  const copy = [...pairs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
