import type { Command } from 'commander';
import { DEFAULT_DATABASE_URL, migrateDatabase, parseDatabaseUrl } from '../../storage/open-store.js';

/** `callevt migrate`: apply pending schema migrations (serve also does this on start). */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit (serve applies them on start too)')
    .option('--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)')
    .action(async (options: { db?: string }) => {
      const url = options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
      const applied = await migrateDatabase(url);
      const dialect = parseDatabaseUrl(url).dialect;
      process.stdout.write(
        applied.length === 0
          ? `${dialect}: schema is up to date\n`
          : `${dialect}: applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}\n`,
      );
    });
}
