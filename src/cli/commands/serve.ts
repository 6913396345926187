import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../../config/load-config.js';
import { startServer } from '../../server.js';

interface ServeOptions {
  host?: string;
  port?: string;
  db?: string;
}

/** `callevt serve`: receive callbacks and serve the API. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('receive LINE Planet callbacks and serve the API (settings also from the environment; flags win)')
    .option('--host <address>', 'address to listen on (env HOST; default 127.0.0.1)')
    .option('--port <number>', 'port to listen on (env PORT; default 8080)')
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .addHelpText(
      'after',
      `
Environment:
  CALLBACK_SECRET       serve callbacks under /callbacks/<secret>/call-event only (16+ chars)
  CALLBACK_ALLOW_CIDRS  accept callbacks only from these networks, e.g. 203.0.113.0/24,2001:db8::/32
  TRUST_PROXY           true, or the proxies' addresses/CIDRs, to take the client address from X-Forwarded-For
  API_TOKEN             bearer token(s) for the read API, comma-separated (required off loopback)
  LOG_LEVEL             fatal|error|warn|info|debug|trace|silent (default info)
  LOG_REQUESTS          true to log every request (default false)
  INGEST_MAX_BATCH      most callbacks committed in one transaction (default 512)`,
    )
    .action(async (options: ServeOptions) => {
      const env = { ...process.env };
      if (options.host !== undefined) env.HOST = options.host;
      if (options.port !== undefined) env.PORT = options.port;
      if (options.db !== undefined) env.DATABASE_URL = options.db;
      let config;
      try {
        config = loadConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) {
          process.stderr.write(`${error.message}\n`);
          process.exit(2);
        }
        throw error;
      }
      const server = await startServer(config);
      server.app.log.info({ url: server.url, database: server.store.dialect }, 'callevt is listening');
      const stop = (signal: string) => {
        server.app.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
