import { createHash } from 'node:crypto';
import type { CallEvent } from './call-event.js';
import { canonicalizeEvent } from './canonical-event.js';

/** The content hash stored with a call or a conflicting version: SHA-256 of its canonical form, base64url. Duplicates share it. */
export function contentHashOf(event: CallEvent): string {
  return createHash('sha256').update(canonicalizeEvent(event)).digest('base64url');
}

/** The content hash of a canonical text (Notify, Agent Call Status): SHA-256, base64url. */
export function contentHashOfText(canonical: string): string {
  return createHash('sha256').update(canonical).digest('base64url');
}
