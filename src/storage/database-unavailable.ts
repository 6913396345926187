/** Socket errors that mean the database cannot be reached (or the connection died). */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away, not accepting connections, or too slow
 * (class 08 is handled apart): admin/crash shutdown, cannot connect now, too many
 * connections, statement timeout.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);

/** Messages of node-postgres errors that carry no code: a dropped or timed-out connection. */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^Client has encountered a connection error/,
  /^timeout expired/,
];

/** How deep `cause` / AggregateError chains are followed. */
const MAX_DEPTH = 5;

/**
 * Whether an error from a PostgreSQL commit means "the database is unavailable" (the
 * batch may be kept and retried later), as opposed to a problem with the data or the
 * query, which retrying would not fix.
 *
 * @example isDatabaseUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })) // true
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    // Any other SQLSTATE is an answer from a working server (a constraint, a bad value).
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return cause !== undefined && isDatabaseUnavailable(cause, depth + 1);
}
