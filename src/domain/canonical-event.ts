import { CALL_FIELDS, type CallEvent, type CallFieldSpec } from './call-event.js';

/** What the canonical form needs of a field (any callback's field list, group calls' too). */
export type CanonicalField = Pick<CallFieldSpec, 'name' | 'addedIn'>;

/** The fields in canonical order, each with whether it came after the first release (one object shape: a fast loop). */
function canonicalFields(fields: readonly CanonicalField[]): ReadonlyArray<{ name: string; later: boolean }> {
  return fields.map((f) => ({ name: f.name, later: f.addedIn !== undefined }));
}

const CANONICAL_FIELDS = canonicalFields(CALL_FIELDS);

/**
 * A stable text form of an event's content: the same facts always give the same text,
 * whatever order the keys arrived in. Two deliveries of one `sid` are duplicates when
 * their canonical forms are equal, and conflicting versions otherwise.
 */
export function canonicalizeEvent(event: Pick<CallEvent, 'extra'>, fields?: readonly CanonicalField[]): string {
  const values = event as unknown as Record<string, unknown>;
  const known: unknown[][] = [];
  for (const { name, later } of fields === undefined ? CANONICAL_FIELDS : canonicalFields(fields)) {
    const value = values[name];
    // A field added after the first release counts only when present: older hashes stay valid.
    if (!later || (value ?? null) !== null) known.push([name, value]);
  }
  const extra = Object.keys(event.extra)
    .sort()
    .map((key) => [key, event.extra[key]]);
  return JSON.stringify({ known, extra });
}
