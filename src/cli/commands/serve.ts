import type { Command } from 'commander';
import { type Config, type ConfigEnv, ConfigError, loadConfig } from '../../config/load-config.js';
import { startServer } from '../../server.js';

/** The flags of `callevt serve`; each stands for one environment variable. */
export interface ServeOptions {
  host?: string;
  port?: string;
  db?: string;
  spoolFile?: string;
}

/** How long a graceful shutdown may take before the process gives up, in milliseconds. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * The settings `serve` runs with: the environment, with each given flag in place of its
 * variable (flags win).
 *
 * @example serveEnv({ port: '9000' }, { PORT: '8080' }).PORT // '9000'
 */
export function serveEnv(options: ServeOptions, env: ConfigEnv): ConfigEnv {
  return {
    ...env,
    ...(options.host !== undefined ? { HOST: options.host } : {}),
    ...(options.port !== undefined ? { PORT: options.port } : {}),
    ...(options.db !== undefined ? { DATABASE_URL: options.db } : {}),
    ...(options.spoolFile !== undefined ? { SPOOL_FILE: options.spoolFile } : {}),
  };
}

/** The help text's list of environment variables (a test checks it names every one loadConfig reads). */
export const SERVE_ENV_HELP = `
Environment (flags win over these):
  HOST                  address to listen on (default 127.0.0.1)
  PORT                  port to listen on, 0 for any free port (default 8080)
  DATABASE_URL          SQLite file path (or sqlite:PATH) or postgres:// URL (default ./data/callevt.db)
  CALLBACK_SECRET       serve callbacks under /callbacks/<secret>/call-event only (16+ chars of A-Z a-z 0-9 _ -)
  CALLBACK_ALLOW_CIDRS  accept callbacks only from these networks, e.g. 203.0.113.0/24,2001:db8::/32
  TRUST_PROXY           true, or the proxies' addresses/CIDRs, to take the client address from X-Forwarded-For
  API_TOKEN             bearer token(s) for the read API, comma-separated (required off loopback)
  LOG_LEVEL             fatal|error|warn|info|debug|trace|silent (default info)
  LOG_REQUESTS          true to log every request, without query strings or secrets (default false)
  INGEST_MAX_BATCH      most callbacks committed in one transaction, 1 = one commit per request (default 512)
  SPOOL_FILE            PostgreSQL only: local file that takes callbacks while the database is down, or off
                        (default ./data/spool.db; keep it on a persistent disk)
  KEEP_ALIVE_TIMEOUT_MS idle keep-alive connections stay open this long; keep it above the load balancer's idle
                        timeout (default 65000)
  HEADERS_TIMEOUT_MS    longest wait for a request's headers, above KEEP_ALIVE_TIMEOUT_MS (default: it + 1000)
  NOTIFY_RELAY_URL      your notify handler: each Notify is passed on to it and LINE Planet gets its verdict (unset: recorded only, nobody sends the push)
  NOTIFY_RELAY_TIMEOUT  longest wait for the notify handler, e.g. 500ms, 3s (default 3s; slower: 504)
  CALL_EVENT_DEADLINE   how long after its Notify a Call Event may take before the call is end_missing (default 2h)
  GROUP_END_DEADLINE    how long after its last event a group call without its room end is end_missing (default 2h)
  CALL_EVENT_RELAY_URL  pass every stored Call Event delivery on to this URL (your app's own handler) from a
                        durable outbox, at least once, in order per sid (default: off)
  AGENT_CALL_STATUS_RELAY_URL pass every stored Agent Call Status delivery on to this URL through the same
                        outbox (needs CALL_EVENT_RELAY_URL; default: off)
  RELAY_MAX_ATTEMPTS    attempts before a relayed delivery goes to the dead-letter list (default 20)
  RELAY_BACKOFF_BASE_MS wait after the first failed attempt, doubled after each (default 1000)
  RELAY_BACKOFF_MAX_MS  longest wait between attempts (default 300000)
  RELAY_TIMEOUT_MS      longest wait for the app's answer (default 10000)
  RELAY_CONCURRENCY     relayed requests in flight at once, each of a different sid (default 32)
  RELAY_SIGNING_SECRET  sign relayed requests (Standard Webhooks webhook-signature; whsec_<base64> or 16+ chars)

Retention (days; unset keeps forever; the server applies them every RETENTION_INTERVAL_MINUTES):
  RETENTION_RAW_DAYS    raw requests (at most RETENTION_CALLS_DAYS when that is set)
  RETENTION_QUARANTINE_DAYS quarantine entries, with their raw requests
  RETENTION_CALLS_DAYS  calls and their conflicting versions (statistics rollups stay)
  RETENTION_ROLLUPS_DAYS statistics rollups (at least RETENTION_CALLS_DAYS)
  RETENTION_TRUNCATE_IPS_DAYS cut IP addresses to /24 (IPv4) or /48 (IPv6) after this many days
  RETENTION_INTERVAL_MINUTES how often the server applies retention (default 60)
  RETENTION_BATCH_ROWS  rows per retention transaction (default 250)`;

/** `callevt serve`: receive callbacks and serve the API. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('receive LINE Planet callbacks and serve the API (settings also from the environment; flags win)')
    .option('--host <address>', 'address to listen on (env HOST; default 127.0.0.1)')
    .option('--port <number>', 'port to listen on, 0 for any free port (env PORT; default 8080)')
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .option('--spool-file <path>', 'PostgreSQL only: local spool file for callbacks while the database is down, or "off" (env SPOOL_FILE; default ./data/spool.db)')
    .addHelpText('after', SERVE_ENV_HELP)
    .action(async (options: ServeOptions) => {
      let config: Readonly<Config>;
      try {
        config = loadConfig(serveEnv(options, process.env));
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      const server = await startServer(config);
      server.app.log.info({ url: server.url, database: server.store.dialect, spoolFile: config.spoolFile }, 'callevt is listening');
      const stop = (signal: string) => {
        server.app.log.info({ signal }, 'shutting down: finishing in-flight commits');
        // A stuck close (e.g. a hung database) must not keep the process alive forever.
        setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
