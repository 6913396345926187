import type { FieldProblem } from '../../domain/call-event.js';
import { type DecodedQuery, decodeQueryString } from '../../domain/parse-query-string.js';

/**
 * Decodes a POSTed callback body: a form (`application/x-www-form-urlencoded`) or a
 * JSON object whose values are strings or numbers. Anything else is a problem, never a throw.
 */
export function decodeBody(body: string, contentType: string | null): DecodedQuery {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-www-form-urlencoded') return decodeQueryString(body);
  if (type === 'application/json' || type.endsWith('+json')) return decodeJsonBody(body);
  if (body === '') return { values: new Map(), problems: [] };
  return { values: new Map(), problems: [{ field: 'body', problem: `content type "${type}" is not a form or JSON` }] };
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
    if (typeof value === 'string') values.set(key, value);
    else if (typeof value === 'number' && Number.isFinite(value)) values.set(key, String(value));
    else if (value === null) continue;
    else problems.push({ field: key, problem: 'must be a string or a number' });
  }
  return { values, problems };
}
