import type { Command } from 'commander';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from '../../storage/open-store.js';
import { plural } from '../../domain/plural.js';
import { BackupError, backupSqlite, restoreSqlite } from './sqlite-backup.js';

/** The pg_dump command line that backs up a PostgreSQL database (the password left to PGPASSWORD or ~/.pgpass). */
export function pgDumpCommand(url: string, out: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return `pg_dump --format=custom --file=${quote(out)} ${quote(parsed.toString())}`;
}

/** Runs a backup or restore step and turns its refusal into one line on stderr and exit status 1. */
async function refusingWith(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

const DB_OPTION = ['--db <url>', 'database: a SQLite file path or a postgres:// URL (env DATABASE_URL; default ./data/callevt.db)'] as const;

/** `callevt backup` and `callevt restore`: SQLite copies without the sqlite3 tool. */
export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy a SQLite database while callevt runs (online backup), then check the copy; for PostgreSQL, print the pg_dump command')
    .requiredOption('--out <file>', 'the backup file to write')
    .option(...DB_OPTION)
    .option('--force', 'replace --out if it exists')
    .action(async (options: { out: string; db?: string; force?: boolean }) => {
      const location = parseDatabaseUrl(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
      if (location.dialect === 'postgres') {
        process.stdout.write(`PostgreSQL: back it up with its own tool (PGPASSWORD or ~/.pgpass for the password):\n${pgDumpCommand(location.url, options.out)}\n`);
        return;
      }
      await refusingWith(async () => {
        const copy = await backupSqlite(location.file, options.out, { force: options.force === true });
        process.stdout.write(`backed up ${location.file} to ${copy.file}: integrity ok, ${plural(copy.calls, 'call')}, schema version ${copy.schemaVersion}\n`);
      });
    });
  program
    .command('restore')
    .description('check a SQLite backup and copy it over a stopped database (refused while a server holds it)')
    .requiredOption('--from <file>', 'the backup file')
    .option(...DB_OPTION)
    .option('--force', 'replace the database if it exists')
    .action(async (options: { from: string; db?: string; force?: boolean }) => {
      const location = parseDatabaseUrl(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
      if (location.dialect === 'postgres') {
        process.stdout.write('PostgreSQL: restore with pg_restore --clean --dbname=<url> <file>\n');
        return;
      }
      await refusingWith(async () => {
        const copy = await restoreSqlite(options.from, location.file, { force: options.force === true });
        process.stdout.write(`restored ${location.file} from ${options.from}: integrity ok, ${plural(copy.calls, 'call')}, schema version ${copy.schemaVersion}\n`);
      });
    });
}
