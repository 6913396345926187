import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_SPOOL_FILE } from '../../storage/open-store.js';
import { openSpoolFile, type SpoolFile, SpoolFileError, spooledSid } from '../../storage/spool/spool-file.js';
import { plural } from '../../domain/plural.js';

/** `callevt spool status|held|requeue`: look into a receiver's local spool (PostgreSQL only) while the receiver is stopped. */
export function registerSpool(program: Command): void {
  const spool = program
    .command('spool')
    .description("inspect a PostgreSQL receiver's local spool file while that receiver is stopped (it locks the file)");
  const fileOption = ['--spool-file <path>', 'the spool file (env SPOOL_FILE; default ./data/spool.db)'] as const;
  const fileOf = (options: { spoolFile?: string }) => options.spoolFile ?? process.env.SPOOL_FILE ?? DEFAULT_SPOOL_FILE;
  spool
    .command('status')
    .description('how many callbacks wait for the database and how many are held')
    .option(...fileOption)
    .action((options: { spoolFile?: string }) => {
      process.stdout.write(`${runSpoolStatus(fileOf(options))}\n`);
    });
  spool
    .command('held')
    .description('list the callbacks the database refused for a reason other than availability (held apart, never deleted)')
    .option(...fileOption)
    .option('--json', 'one JSON object per line, with the whole record')
    .action((options: { spoolFile?: string; json?: boolean }) => {
      process.stdout.write(runSpoolHeld(fileOf(options), options.json === true));
    });
  spool
    .command('requeue')
    .description('put held callbacks back in line (all, or --id ones); the receiver replays them on its next start')
    .option(...fileOption)
    .option('--id <ids...>', 'only these held ids')
    .action((options: { spoolFile?: string; id?: string[] }) => {
      process.stdout.write(`${runSpoolRequeue(fileOf(options), options.id?.map(parseId))}\n`);
    });
}

/** One line: what waits and what is held. */
export function runSpoolStatus(file: string): string {
  return withSpool(file, (spool) => `${file}: ${spool.size} waiting for the database, ${spool.held} held`);
}

/** The held records, a line each (id, held at, sid, error), or JSON lines. */
export function runSpoolHeld(file: string, json: boolean): string {
  return withSpool(file, (spool) =>
    spool.listHeld().map((held) => {
      const sid = spooledSid(held.record);
      if (json) return `${JSON.stringify({ id: held.id, held_at: held.heldAt, error: held.error, record: held.record })}\n`;
      return `${held.id}\t${new Date(held.heldAt).toISOString()}\t${sid ?? '-'}\t${held.error}\n`;
    }).join(''));
}

/** Moves held records back in line; says how many. */
export function runSpoolRequeue(file: string, ids?: number[]): string {
  return withSpool(file, (spool) => {
    const moved = spool.requeue(ids);
    return `${plural(moved, 'held callback')} back in line; ${spool.size} now wait${spool.size === 1 ? 's' : ''} for the database (replayed when the receiver starts)`;
  });
}

function withSpool<T>(file: string, use: (spool: SpoolFile) => T): T {
  // Never create one: a mistyped path must not look like an empty spool.
  if (!existsSync(file)) throw new SpoolFileError(`no spool file at ${file}`);
  let spool: SpoolFile;
  try {
    spool = openSpoolFile(file);
  } catch (error) {
    if (error instanceof SpoolFileError && /in use/.test(error.message)) {
      throw new SpoolFileError(`${file} is in use: stop the receiver that owns it first`, { cause: error });
    }
    throw error;
  }
  try {
    return use(spool);
  } finally {
    spool.close();
  }
}

function parseId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new SpoolFileError(`--id takes positive whole numbers (got "${text}")`);
  return id;
}
