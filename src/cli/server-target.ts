import { DEFAULT_DATABASE_URL } from '../storage/open-store.js';

/** The server a command talks to when none is named: where `callevt serve` listens by default. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

/** A running callevt: its base URL (no trailing slash; paths like /api/calls are added) and API token. */
export interface ServerTarget {
  url: string;
  token?: string;
}

/** Where a reading command reads calls: a running server, or a database directly. */
export type ReadTarget = { kind: 'server'; server: ServerTarget } | { kind: 'database'; databaseUrl: string };

/** The connection flags every command shares. */
export interface TargetOptions {
  db?: string;
  url?: string;
  token?: string;
}

/**
 * Where a reading command reads, the same for every command: `--url`, else `--db`,
 * else `CALLEVT_URL`, else `DATABASE_URL`, else ./data/callevt.db. A flag wins over
 * the environment; the token is `--token`, else `CALLEVT_TOKEN`.
 *
 * @example resolveReadTarget({}, { CALLEVT_URL: 'http://127.0.0.1:9000' }) // { kind: 'server', … }
 */
export function resolveReadTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): ReadTarget {
  if (nonEmpty(options.url) !== undefined) return { kind: 'server', server: resolveServer(options, env) };
  const db = nonEmpty(options.db);
  if (db !== undefined) return { kind: 'database', databaseUrl: db };
  if (nonEmpty(env.CALLEVT_URL) !== undefined) return { kind: 'server', server: resolveServer(options, env) };
  return { kind: 'database', databaseUrl: nonEmpty(env.DATABASE_URL) ?? DEFAULT_DATABASE_URL };
}

/** The server of a command that only talks to one (`simulate`): `--url`, else `CALLEVT_URL`, else {@link DEFAULT_SERVER_URL}. */
export function resolveServer(options: Pick<TargetOptions, 'url' | 'token'>, env: NodeJS.ProcessEnv = process.env): ServerTarget {
  const url = parseBaseUrl(nonEmpty(options.url) ?? nonEmpty(env.CALLEVT_URL) ?? DEFAULT_SERVER_URL);
  const token = nonEmpty(options.token) ?? nonEmpty(env.CALLEVT_TOKEN);
  return token === undefined ? { url } : { url, token };
}

/**
 * A callevt base URL, checked: http(s), no query, and not one of callevt's own paths
 * (the commands add `/api/…` and `/callbacks/…` themselves). A path prefix, as behind a
 * reverse proxy, is kept.
 *
 * @example parseBaseUrl('http://127.0.0.1:8080/') // 'http://127.0.0.1:8080'
 */
export function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--url must be callevt's base URL, like ${DEFAULT_SERVER_URL} (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--url must start with http:// or https:// (got "${text}")`);
  if (url.search !== '' || url.hash !== '') throw new Error(`--url is callevt's base URL, without a query (got "${text}")`);
  if (/\/(callbacks|api)(\/|$)/.test(url.pathname)) {
    throw new Error(`--url is callevt's base URL, like ${url.origin} (got "${text}"): the commands add /callbacks/… and /api/… themselves`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * A request that got no answer, as a sentence naming the URL and the cause.
 *
 * @example unreachable('http://127.0.0.1:8080', err).message // 'cannot reach callevt at http://127.0.0.1:8080: connect ECONNREFUSED 127.0.0.1:8080'
 */
export function unreachable(url: string, error: unknown): Error {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown }).code;
  const detail = typeof code === 'string' && !message.includes(code) ? `${code} ${message}` : message;
  return new Error(`cannot reach callevt at ${url}: ${detail}`, { cause: error });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The callback URL of a callevt at `baseUrl`: `/callbacks/call-event`, or
 * `/callbacks/<secret>/call-event` when the server has a CALLBACK_SECRET; the same for
 * the other callbacks (`notify`, `agent-call-status`, `group-call-event`).
 *
 * @example callbackUrlOf('http://127.0.0.1:8080', null) // 'http://127.0.0.1:8080/callbacks/call-event'
 */
export function callbackUrlOf(baseUrl: string, secret: string | null, callback: 'call-event' | 'notify' | 'agent-call-status' | 'group-call-event' = 'call-event'): string {
  return `${baseUrl}/callbacks/${secret === null ? '' : `${encodeURIComponent(secret)}/`}${callback}`;
}

/**
 * Checks that a callevt answers at `baseUrl` (GET /healthz, which needs no token) before
 * traffic is sent: no answer, or an answer that is not callevt's, throws a sentence
 * naming the URL and the cause.
 */
export async function assertCallevtAnswers(baseUrl: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
  } catch (error) {
    throw unreachable(baseUrl, error);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: not callevt
  }
  if (response.status !== 200 || (body as { status?: unknown } | null)?.status !== 'ok') {
    throw new Error(
      `${baseUrl}/healthz answered ${response.status} ${response.headers.get('content-type') ?? ''} ${JSON.stringify(text.slice(0, 80))}, ` +
        "not callevt's health answer: is --url (or CALLEVT_URL) the base URL of a callevt server?",
    );
  }
}

/** How long the health check before a run waits, in milliseconds. */
export const HEALTH_TIMEOUT_MS = 5_000;
