import type { FieldProblem } from './call-event.js';

/** The decoded key/value pairs of a query string, plus what could not be decoded. */
export interface DecodedQuery {
  values: Map<string, string>;
  problems: FieldProblem[];
}

/** Longest key kept; LINE Planet's own keys are under 20 characters. */
export const MAX_KEY_CHARS = 64;

/**
 * Decodes an `application/x-www-form-urlencoded` string (a URL query or a form body)
 * strictly: bad percent-encoding and repeated keys are reported per key instead of
 * being silently repaired, because a callback we cannot read exactly must be quarantined.
 *
 * @example decodeQueryString('sid=a&type=V').values.get('type') // 'V'
 */
export function decodeQueryString(raw: string): DecodedQuery {
  const values = new Map<string, string>();
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  if (raw === '') return { values, problems };
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const key = decodeComponent(rawKey);
    if (key === null) {
      problems.push({ field: truncate(rawKey), problem: 'key has invalid percent-encoding' });
      continue;
    }
    if (key.length > MAX_KEY_CHARS) {
      problems.push({ field: truncate(key), problem: `key is longer than ${MAX_KEY_CHARS} characters` });
      continue;
    }
    const value = decodeComponent(rawValue);
    if (value === null) {
      problems.push({ field: key, problem: 'value has invalid percent-encoding' });
      continue;
    }
    if (seen.has(key)) {
      problems.push({ field: key, problem: 'is given more than once' });
      continue;
    }
    seen.add(key);
    values.set(key, value);
  }
  return { values, problems };
}

function decodeComponent(text: string): string | null {
  // Most callback values are plain ASCII: nothing to decode, no string to copy.
  const plus = text.includes('+');
  if (!plus && !text.includes('%')) return text;
  try {
    return decodeURIComponent(plus ? text.replace(/\+/g, ' ') : text);
  } catch {
    return null;
  }
}

function truncate(text: string): string {
  return text.length > MAX_KEY_CHARS ? `${text.slice(0, MAX_KEY_CHARS)}…` : text;
}
