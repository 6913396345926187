import { createHash, timingSafeEqual } from 'node:crypto';
import type { CidrList } from '../config/cidr.js';
import { SECRET_PLACEHOLDER } from '../logging/redact-secret.js';

/** The path segment that stands for the callback secret in stored paths and logs. */
export { SECRET_PLACEHOLDER };

/**
 * Compares a presented secret with the configured one in constant time (both are
 * hashed first so that their lengths do not leak either).
 */
export function secretMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Whether a source address may deliver callbacks (everyone, when no allowlist is set). */
export function sourceAllowed(allow: CidrList | null, address: string): boolean {
  return allow === null || allow.contains(address);
}

/**
 * Replaces the secret segment of a callback path, for storage and logs. Segments are
 * compared after percent-decoding, because the router decodes them too: `%61bc…` is
 * the secret `abc…` in disguise and must not reach a log.
 */
export function redactSecretPath(path: string, secret: string | null): string {
  if (secret === null) return path;
  return path
    .split('/')
    .map((segment) => (segment === secret || safeDecode(segment) === secret ? SECRET_PLACEHOLDER : segment))
    .join('/');
}

function safeDecode(segment: string): string | null {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
