import type { FieldProblem } from './call-event.js';
import { type DecodedQuery, MAX_KEY_CHARS, decodeQueryString } from './parse-query-string.js';

/** A UTF-16 surrogate without its partner (the `u` flag makes proper pairs one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Decodes a POSTed callback body: a form (`application/x-www-form-urlencoded`) or a
 * JSON object whose values are strings or numbers. Anything else is a problem, never a throw.
 */
export function decodeBody(body: string, contentType: string | null): DecodedQuery {
  const type = mediaTypeOf(contentType);
  if (type === 'application/x-www-form-urlencoded') return decodeQueryString(body);
  if (isJsonType(type)) return decodeJsonBody(body);
  if (body === '') return { values: new Map(), problems: [] };
  return { values: new Map(), problems: [{ field: 'body', problem: `content type "${type}" is not a form or JSON` }] };
}

/** Whether a non-empty body of this content type can carry a callback (a form or JSON). */
export function isSupportedBodyType(contentType: string | null): boolean {
  const type = mediaTypeOf(contentType);
  return type === 'application/x-www-form-urlencoded' || isJsonType(type);
}

function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

function decodeJsonBody(body: string): DecodedQuery {
  const values = new Map<string, string>();
  const problems: FieldProblem[] = [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { values, problems: [{ field: 'body', problem: 'is not valid JSON' }] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { values, problems: [{ field: 'body', problem: 'must be a JSON object' }] };
  }
  for (const [key, value] of Object.entries(parsed)) {
    // The same bounds as a query string's keys, and no lone surrogates (they cannot be stored as UTF-8).
    if (key.length > MAX_KEY_CHARS) problems.push({ field: `${key.slice(0, MAX_KEY_CHARS)}…`, problem: `key is longer than ${MAX_KEY_CHARS} characters` });
    else if (LONE_SURROGATE.test(key)) problems.push({ field: 'body', problem: 'has a key that is not valid Unicode' });
    else if (typeof value === 'string' && LONE_SURROGATE.test(value)) problems.push({ field: key, problem: 'is not valid Unicode' });
    else if (typeof value === 'string') values.set(key, value);
    else if (typeof value === 'number' && Number.isFinite(value)) values.set(key, String(value));
    else if (value === null) continue;
    else problems.push({ field: key, problem: 'must be a string or a number' });
  }
  return { values, problems };
}
