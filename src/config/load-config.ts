import ipaddr from 'ipaddr.js';
import { DEFAULT_MAX_BATCH } from '../ingest/group-committer.js';
import { DEFAULT_DATABASE_URL, DEFAULT_SPOOL_FILE, parseDatabaseUrl } from '../storage/open-store.js';
import type { RelaySettings } from '../relay/relay-worker.js';
import { parseCidrList, type CidrList } from './cidr.js';
import { parseRetentionSettings, type RetentionSettings } from './retention-settings.js';

/** callevt's settings, validated. Frozen: nothing changes them after start. */
export interface Config {
  host: string;
  port: number;
  databaseUrl: string;
  /** When set, callbacks are served only under `/callbacks/<secret>/...`. */
  callbackSecret: string | null;
  /** When set, callbacks are accepted only from these source networks. */
  callbackAllowCidrs: CidrList | null;
  /** Whether X-Forwarded-For is believed: false, true (any hop), or the proxies' networks. */
  trustProxy: boolean | string[];
  /** Bearer tokens accepted by the read API; empty means the API is open (loopback only). */
  apiTokens: string[];
  logLevel: string;
  logRequests: boolean;
  ingestMaxBatch: number;
  /**
   * The local spool file that takes callbacks while PostgreSQL is unavailable
   * (docs/deploy.md); null when off, and always with SQLite.
   */
  spoolFile: string | null;
  /** How long an idle keep-alive connection stays open, in milliseconds: longer than any load balancer's idle timeout. */
  keepAliveTimeoutMs: number;
  /** Longest wait for a request's headers, in milliseconds; longer than keepAliveTimeoutMs (Node's guidance). */
  headersTimeoutMs: number;
  /** How long each kind of record is kept, and how the server's retention job runs (retention-settings.ts). */
  retention: RetentionSettings;
  /** The app's own notify handler each Notify is passed on to (docs/configuration.md); null: recorded only, nobody sends the push. */
  notifyRelayUrl: string | null;
  /** Longest wait for the notify handler's answer, in milliseconds. */
  notifyRelayTimeoutMs: number;
  /** How long after its Notify a call's Call Event may take before the call counts as end_missing, in milliseconds. */
  callEventDeadlineMs: number;
  /** How long after its last event a group call without its room end (sc=E) counts as end_missing, in milliseconds. */
  groupEndDeadlineMs: number;
  /**
   * The Call Event relay (CALL_EVENT_RELAY_URL and RELAY_*): every recorded delivery that
   * was not quarantined is passed on to the app's own handler; null when off.
   */
  callEventRelay: Readonly<RelaySettings> | null;
}

/** Names of the environment variables callevt reads (the help text and docs list each one; a test checks). */
export const CONFIG_ENV_NAMES = [
  'HOST', 'PORT', 'DATABASE_URL', 'CALLBACK_SECRET', 'CALLBACK_ALLOW_CIDRS', 'TRUST_PROXY',
  'API_TOKEN', 'LOG_LEVEL', 'LOG_REQUESTS', 'INGEST_MAX_BATCH', 'SPOOL_FILE', 'KEEP_ALIVE_TIMEOUT_MS', 'HEADERS_TIMEOUT_MS',
  'RETENTION_RAW_DAYS', 'RETENTION_QUARANTINE_DAYS', 'RETENTION_CALLS_DAYS', 'RETENTION_ROLLUPS_DAYS', 'RETENTION_TRUNCATE_IPS_DAYS',
  'RETENTION_INTERVAL_MINUTES', 'RETENTION_BATCH_ROWS',
  'NOTIFY_RELAY_URL', 'NOTIFY_RELAY_TIMEOUT', 'CALL_EVENT_DEADLINE', 'GROUP_END_DEADLINE',
  'CALL_EVENT_RELAY_URL', 'AGENT_CALL_STATUS_RELAY_URL', 'RELAY_MAX_ATTEMPTS', 'RELAY_BACKOFF_BASE_MS', 'RELAY_BACKOFF_MAX_MS', 'RELAY_TIMEOUT_MS', 'RELAY_CONCURRENCY',
  'RELAY_SIGNING_SECRET',
] as const;

/** The environment-style input of loadConfig. */
export type ConfigEnv = Partial<Record<(typeof CONFIG_ENV_NAMES)[number], string | undefined>>;

/** Shortest accepted callback secret, in characters: guessing it must be impractical. */
export const MIN_CALLBACK_SECRET_CHARS = 16;
/** Shortest accepted API token, in characters. */
export const MIN_API_TOKEN_CHARS = 16;
/**
 * Default idle keep-alive timeout, in milliseconds: above the 60 s idle timeout of
 * AWS ALB and nginx's upstream keep-alive, so the balancer always closes first and never
 * sends a request onto a connection the receiver is closing.
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How much longer than the keep-alive timeout the headers timeout is by default, in milliseconds. */
export const HEADERS_TIMEOUT_MARGIN_MS = 1_000;
/** Shortest accepted keep-alive or headers timeout, in milliseconds. */
export const MIN_HTTP_TIMEOUT_MS = 1_000;
/** Longest accepted keep-alive or headers timeout, in milliseconds: Node's request timeout (300 s) bounds them anyway. */
export const MAX_HTTP_TIMEOUT_MS = 300_000;
/** Attempts per relayed delivery before it becomes a dead letter, by default: about an hour of retries with the default backoff. */
export const DEFAULT_RELAY_MAX_ATTEMPTS = 20;
/** Wait after the first failed relay attempt, in milliseconds; doubled after each failure. */
export const DEFAULT_RELAY_BACKOFF_BASE_MS = 1_000;
/** Longest wait between relay attempts, in milliseconds. */
export const DEFAULT_RELAY_BACKOFF_MAX_MS = 300_000;
/** Longest wait for the app's answer to a relayed request, in milliseconds. */
export const DEFAULT_RELAY_TIMEOUT_MS = 10_000;
/** Relayed requests in flight at once (each of a different sid). */
export const DEFAULT_RELAY_CONCURRENCY = 32;
/** Shortest accepted RELAY_SIGNING_SECRET, in characters. */
export const MIN_RELAY_SECRET_CHARS = 16;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Raised with every configuration problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Builds the configuration from environment-style variables. Pure: the caller passes
 * `process.env` (merged with CLI flags). Reports all problems in one ConfigError.
 *
 * @example loadConfig({ PORT: '9000' }).port // 9000
 */
export function loadConfig(env: ConfigEnv): Readonly<Config> {
  const problems: string[] = [];
  const host = nonEmpty(env.HOST) ?? '127.0.0.1';
  const port = integer(env.PORT, 'PORT', 8080, 0, 65535, problems);
  const databaseUrl = nonEmpty(env.DATABASE_URL) ?? DEFAULT_DATABASE_URL;
  const callbackSecret = nonEmpty(env.CALLBACK_SECRET) ?? null;
  if (callbackSecret !== null) {
    if (callbackSecret.length < MIN_CALLBACK_SECRET_CHARS) {
      problems.push(`CALLBACK_SECRET must be at least ${MIN_CALLBACK_SECRET_CHARS} characters`);
    }
    if (!/^[A-Za-z0-9_-]+$/.test(callbackSecret)) {
      problems.push('CALLBACK_SECRET may contain only letters, digits, "_" and "-" (it is a URL path segment)');
    }
  }
  let callbackAllowCidrs: CidrList | null = null;
  if (nonEmpty(env.CALLBACK_ALLOW_CIDRS) !== undefined) {
    const parsed = parseCidrList(env.CALLBACK_ALLOW_CIDRS ?? '');
    if (parsed.ok) callbackAllowCidrs = parsed.list;
    else problems.push(`CALLBACK_ALLOW_CIDRS: ${parsed.problem}`);
  }
  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  const apiTokens = (env.API_TOKEN ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const token of apiTokens) {
    if (token.length < MIN_API_TOKEN_CHARS) problems.push(`each API_TOKEN must be at least ${MIN_API_TOKEN_CHARS} characters`);
  }
  if (apiTokens.length === 0 && !isLoopbackHost(host)) {
    problems.push(
      `HOST=${host} is reachable from other machines, so the read API needs API_TOKEN (one or more tokens, comma-separated); ` +
        'or listen on 127.0.0.1',
    );
  }
  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logRequests = boolean(env.LOG_REQUESTS, 'LOG_REQUESTS', false, problems);
  const ingestMaxBatch = integer(env.INGEST_MAX_BATCH, 'INGEST_MAX_BATCH', DEFAULT_MAX_BATCH, 1, 10_000, problems);
  const spoolFile = parseSpoolFile(env.SPOOL_FILE, databaseUrl, problems);
  const { keepAliveTimeoutMs, headersTimeoutMs } = parseHttpTimeouts(env, problems);
  const retention = parseRetentionSettings(env, problems);
  const notifyRelayUrl = parseRelayUrl(env.NOTIFY_RELAY_URL, 'NOTIFY_RELAY_URL', problems);
  const notifyRelayTimeoutMs = duration(env.NOTIFY_RELAY_TIMEOUT, 'NOTIFY_RELAY_TIMEOUT', DEFAULT_NOTIFY_RELAY_TIMEOUT_MS, 1, MAX_NOTIFY_RELAY_TIMEOUT_MS, problems);
  const callEventDeadlineMs = duration(env.CALL_EVENT_DEADLINE, 'CALL_EVENT_DEADLINE', DEFAULT_CALL_EVENT_DEADLINE_MS, 60_000, 30 * 86_400_000, problems);
  const groupEndDeadlineMs = duration(env.GROUP_END_DEADLINE, 'GROUP_END_DEADLINE', DEFAULT_GROUP_END_DEADLINE_MS, 60_000, 30 * 86_400_000, problems);
  const callEventRelay = parseRelay(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    host, port, databaseUrl, callbackSecret, callbackAllowCidrs, trustProxy, apiTokens, logLevel, logRequests, ingestMaxBatch,
    spoolFile, keepAliveTimeoutMs, headersTimeoutMs, retention: Object.freeze(retention), notifyRelayUrl, notifyRelayTimeoutMs, callEventDeadlineMs,
    groupEndDeadlineMs, callEventRelay,
  });
}

/** Default NOTIFY_RELAY_TIMEOUT, in milliseconds: LINE Planet waits for the Notify answer before the callee rings. */
export const DEFAULT_NOTIFY_RELAY_TIMEOUT_MS = 3_000;
/** Longest accepted NOTIFY_RELAY_TIMEOUT, in milliseconds. */
export const MAX_NOTIFY_RELAY_TIMEOUT_MS = 60_000;
/** Default GROUP_END_DEADLINE, in milliseconds: two hours after a room's last event (docs/spec/group-calls.md §1.5). */
export const DEFAULT_GROUP_END_DEADLINE_MS = 7_200_000;
/** Default CALL_EVENT_DEADLINE, in milliseconds: two hours after the Notify. */
export const DEFAULT_CALL_EVENT_DEADLINE_MS = 7_200_000;

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A duration such as `500ms`, `3s`, `15m` or `2h` (a bare number is seconds), in milliseconds. */
export function parseDurationMs(raw: string): number | null {
  const match = /^(\d{1,9})(ms|s|m|h)?$/.exec(raw.trim());
  if (match === null) return null;
  return Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] ?? 1_000);
}

function duration(raw: string | undefined, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const text = nonEmpty(raw);
  if (text === undefined) return fallback;
  const ms = parseDurationMs(text);
  if (ms === null || ms < min || ms > max) {
    problems.push(`${name} must be a duration such as 500ms, 3s, 15m or 2h, from ${min} ms to ${max} ms`);
    return fallback;
  }
  return ms;
}

/** An http(s) URL without user:password (the relay's answer is logged with the URL's origin). */
function parseRelayUrl(raw: string | undefined, name: string, problems: string[]): string | null {
  const text = nonEmpty(raw);
  if (text === undefined) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name} must be an absolute http or https URL`);
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${name} must be an http or https URL`);
  if (url.username !== '' || url.password !== '') problems.push(`${name} must not carry a user name or password`);
  return text;
}

/** SPOOL_FILE: on by default with PostgreSQL, `off` disables it; SQLite never spools (it is itself local). */
function parseSpoolFile(raw: string | undefined, databaseUrl: string, problems: string[]): string | null {
  const text = nonEmpty(raw);
  const postgres = parseDatabaseUrl(databaseUrl).dialect === 'postgres';
  if (text !== undefined && text.toLowerCase() === 'off') return null;
  if (!postgres) {
    if (text !== undefined) problems.push('SPOOL_FILE applies only with a PostgreSQL DATABASE_URL (SQLite is already local); unset it or set it to off');
    return null;
  }
  if (text === undefined) return DEFAULT_SPOOL_FILE;
  if (text === ':memory:' || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    problems.push(`SPOOL_FILE must be a file path on a persistent disk, or off (got "${text}")`);
    return null;
  }
  return text;
}

/** KEEP_ALIVE_TIMEOUT_MS and HEADERS_TIMEOUT_MS; the headers timeout defaults to just above the keep-alive one. */
function parseHttpTimeouts(env: ConfigEnv, problems: string[]): { keepAliveTimeoutMs: number; headersTimeoutMs: number } {
  const keepAliveTimeoutMs = integer(env.KEEP_ALIVE_TIMEOUT_MS, 'KEEP_ALIVE_TIMEOUT_MS', DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    MIN_HTTP_TIMEOUT_MS, MAX_HTTP_TIMEOUT_MS - HEADERS_TIMEOUT_MARGIN_MS, problems);
  const headersTimeoutMs = integer(env.HEADERS_TIMEOUT_MS, 'HEADERS_TIMEOUT_MS', keepAliveTimeoutMs + HEADERS_TIMEOUT_MARGIN_MS,
    MIN_HTTP_TIMEOUT_MS, MAX_HTTP_TIMEOUT_MS, problems);
  if (headersTimeoutMs <= keepAliveTimeoutMs) {
    problems.push(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must be longer than KEEP_ALIVE_TIMEOUT_MS (${keepAliveTimeoutMs})`);
  }
  return { keepAliveTimeoutMs, headersTimeoutMs };
}

/** CALL_EVENT_RELAY_URL and the RELAY_* settings; RELAY_* alone, without the URL, is a mistake worth saying. */
function parseRelay(env: ConfigEnv, problems: string[]): Readonly<RelaySettings> | null {
  const text = nonEmpty(env.CALL_EVENT_RELAY_URL);
  const maxAttempts = integer(env.RELAY_MAX_ATTEMPTS, 'RELAY_MAX_ATTEMPTS', DEFAULT_RELAY_MAX_ATTEMPTS, 1, 1_000, problems);
  const backoffBaseMs = integer(env.RELAY_BACKOFF_BASE_MS, 'RELAY_BACKOFF_BASE_MS', DEFAULT_RELAY_BACKOFF_BASE_MS, 1, 3_600_000, problems);
  const backoffMaxMs = integer(env.RELAY_BACKOFF_MAX_MS, 'RELAY_BACKOFF_MAX_MS', Math.max(DEFAULT_RELAY_BACKOFF_MAX_MS, backoffBaseMs), 1, 86_400_000, problems);
  const timeoutMs = integer(env.RELAY_TIMEOUT_MS, 'RELAY_TIMEOUT_MS', DEFAULT_RELAY_TIMEOUT_MS, 100, 300_000, problems);
  const concurrency = integer(env.RELAY_CONCURRENCY, 'RELAY_CONCURRENCY', DEFAULT_RELAY_CONCURRENCY, 1, 1_024, problems);
  const signingSecret = nonEmpty(env.RELAY_SIGNING_SECRET) ?? null;
  if (backoffMaxMs < backoffBaseMs) problems.push(`RELAY_BACKOFF_MAX_MS (${backoffMaxMs}) must not be shorter than RELAY_BACKOFF_BASE_MS (${backoffBaseMs})`);
  if (signingSecret !== null && signingSecret.length < MIN_RELAY_SECRET_CHARS) {
    problems.push(`RELAY_SIGNING_SECRET must be at least ${MIN_RELAY_SECRET_CHARS} characters`);
  }
  const agentCallStatusUrl = relayTargetUrl(env.AGENT_CALL_STATUS_RELAY_URL, 'AGENT_CALL_STATUS_RELAY_URL', problems);
  if (text === undefined) {
    const stray = CONFIG_ENV_NAMES.filter((name) => (name.startsWith('RELAY_') || name === 'AGENT_CALL_STATUS_RELAY_URL') && nonEmpty(env[name]) !== undefined);
    if (stray.length > 0) problems.push(`${stray.join(', ')} set without CALL_EVENT_RELAY_URL: set the relay URL or unset them`);
    return null;
  }
  relayTargetUrl(text, 'CALL_EVENT_RELAY_URL', problems);
  return Object.freeze({ url: text, agentCallStatusUrl, maxAttempts, backoffBaseMs, backoffMaxMs, timeoutMs, concurrency, signingSecret });
}

/** A relay target URL (the app's own handler): http or https, with no query or fragment. */
function relayTargetUrl(raw: string | undefined, name: string, problems: string[]): string | null {
  const text = nonEmpty(raw);
  if (text === undefined) return null;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name} must be an http:// or https:// URL`);
  }
  if (url !== null) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`${name} must be an http:// or https:// URL`);
    // The original query string is appended to it as it came: the URL itself must not have one.
    if (url.search !== '' || url.hash !== '') problems.push(`${name} must have no query or fragment: the callback's own query string is appended`);
  }
  return text;
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (!ipaddr.isValid(host)) return false;
  const addr = ipaddr.process(host);
  return addr.range() === 'loopback';
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function integer(raw: string | undefined, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const text = nonEmpty(raw);
  if (text === undefined) return fallback;
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${text}")`);
    return fallback;
  }
  return n;
}

function boolean(raw: string | undefined, name: string, fallback: boolean, problems: string[]): boolean {
  const text = nonEmpty(raw)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  problems.push(`${name} must be true or false (got "${text}")`);
  return fallback;
}

function parseTrustProxy(raw: string | undefined, problems: string[]): boolean | string[] {
  const text = nonEmpty(raw);
  if (text === undefined || ['0', 'false', 'no', 'off'].includes(text.toLowerCase())) return false;
  if (['1', 'true', 'yes', 'on'].includes(text.toLowerCase())) return true;
  const parsed = parseCidrList(text);
  if (!parsed.ok) {
    problems.push(`TRUST_PROXY must be true, false or a comma-separated list of proxy addresses/CIDRs: ${parsed.problem}`);
    return false;
  }
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
