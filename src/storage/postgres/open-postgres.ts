import pg from 'pg';
import type { Logger } from 'pino';

/** Most connections one callevt process opens (the URL's `?pool_max=` overrides). */
export const DEFAULT_POOL_MAX = 10;
/** How long to wait for a new connection before failing the request, in milliseconds. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Longest a statement may run on the server before PostgreSQL cancels it, in milliseconds. */
export const STATEMENT_TIMEOUT_MS = 30_000;
/** Longest the client waits for any answer (covers a silently dropped network), in milliseconds. */
export const QUERY_TIMEOUT_MS = 35_000;
/** A transaction left idle (a stuck client) is ended by the server after this, in milliseconds. */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
/** Idle pooled connections are closed after this, in milliseconds. */
export const IDLE_CONNECTION_MS = 30_000;

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** int8 (ids, counts, sums) and numeric (averages) come back as JS numbers, not strings. */
const NUMBER_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
  },
};

export interface PostgresOptions {
  /** The schema to use (search_path); the URL's `?schema=` does the same. */
  schema?: string;
  poolMax?: number;
  logger?: Pick<Logger, 'warn'>;
}

/** callevt's own parameters of a postgres:// URL, which pg does not know. */
export interface UrlSettings {
  url: string;
  /** Becomes the connection's search_path. */
  schema: string | null;
  poolMax: number | null;
}

/**
 * Splits callevt's own parameters (`schema`, `pool_max`) off a postgres:// URL.
 *
 * @example splitUrlSettings('postgres://h/db?schema=a') // { url: 'postgres://h/db', schema: 'a', poolMax: null }
 */
export function splitUrlSettings(url: string): UrlSettings {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  const poolMaxText = parsed.searchParams.get('pool_max');
  if (schema === null && poolMaxText === null) return { url, schema: null, poolMax: null };
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pool_max');
  const poolMax = poolMaxText === null ? null : Number(poolMaxText);
  if (poolMax !== null && !(Number.isInteger(poolMax) && poolMax >= 1 && poolMax <= 1000)) {
    throw new Error(`pool_max must be a whole number from 1 to 1000 (got "${poolMaxText}")`);
  }
  return { url: parsed.toString(), schema, poolMax };
}

/** Used when no logger is given: the warning must still be seen. */
const STDERR_LOGGER: Pick<Logger, 'warn'> = {
  warn: ((obj: { err?: Error }, message: string) => {
    process.stderr.write(`callevt: ${message}: ${obj.err?.message ?? ''}\n`);
  }) as Logger['warn'],
};

/** Whether a name is safe to use unquoted as a schema in search_path. */
export function isPlainIdentifier(name: string): boolean {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(name);
}

/**
 * A connection pool for durable ingest: bounded connect, statement and idle timeouts,
 * and error handlers so that a dropped connection (database restart, network cut)
 * never crashes the process; the pool reconnects on the next query.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): pg.Pool {
  const split = splitUrlSettings(url);
  const schema = options.schema ?? split.schema;
  if (schema !== null && !isPlainIdentifier(schema)) {
    throw new Error(`schema "${schema}" must be lower-case letters, digits and "_"`);
  }
  const pool = new pg.Pool({
    connectionString: split.url,
    max: options.poolMax ?? split.poolMax ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: IDLE_CONNECTION_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'callevt',
    types: NUMBER_TYPES,
    ...(schema === null ? {} : { options: `-c search_path=${schema}` }),
  });
  // An idle client whose connection dies emits here; without a handler Node would crash.
  const logger = options.logger ?? STDERR_LOGGER;
  pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost; will reconnect'));
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection error'));
  });
  return pool;
}
