import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Pages copied per step of the online backup. SQLite restarts a backup whose source
 * another connection wrote between two steps, so under steady ingest small steps might
 * never finish: one large step reads a consistent snapshot (a WAL reader, which never
 * blocks the writer) and copies it at once.
 */
export const BACKUP_PAGES_PER_STEP = 1_000_000;

/** A backup or restore that cannot go on, with what to do instead. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** What a copy holds, once `PRAGMA integrity_check` said ok. */
export interface CheckedCopy {
  file: string;
  calls: number;
  schemaVersion: number;
}

/** The files SQLite keeps beside a WAL database while it is open. */
function sideFiles(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`];
}

/**
 * Opens `file` read-only, runs `PRAGMA integrity_check` and counts its calls; throws a
 * BackupError when it is damaged or not a callevt database.
 */
export function checkCopy(file: string): CheckedCopy {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new BackupError(`${file} cannot be opened as SQLite: ${(cause as Error).message}`, { cause });
  }
  try {
    const problems = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
    if (problems.join('\n') !== 'ok') throw new BackupError(`${file} is damaged: ${problems.slice(0, 5).join('; ')}`);
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name));
    if (!tables.has('calls') || !tables.has('schema_migrations')) throw new BackupError(`${file} is not a callevt database (no calls or schema_migrations table)`);
    const calls = (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
    const schemaVersion = (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
    return { file, calls, schemaVersion };
  } catch (cause) {
    if (cause instanceof BackupError) throw cause;
    throw new BackupError(`${file} cannot be read: ${(cause as Error).message}`, { cause });
  } finally {
    db.close();
  }
}

/**
 * Copies the live database `source` into `out` with SQLite's online backup while
 * callevt may keep writing, then checks the copy. The copy is written beside `out` and
 * renamed into place only once it checks ok.
 */
export async function backupSqlite(source: string, out: string, options: { force?: boolean } = {}): Promise<CheckedCopy> {
  if (!existsSync(source)) throw new BackupError(`${source} does not exist`);
  if (existsSync(out) && options.force !== true) throw new BackupError(`${out} exists; choose another file or pass --force to replace it`);
  const partial = join(dirname(out), `.${basename(out)}.partial`);
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => BACKUP_PAGES_PER_STEP });
  } finally {
    db.close();
  }
  try {
    const checked = checkCopy(partial);
    renameSync(partial, out);
    return { ...checked, file: out };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Whether a process has `file` open as a WAL database. The last connection to close
 * checkpoints the WAL and deletes `-wal` and `-shm`; if they outlive ours, another
 * connection (a running callevt) holds the file. Leftovers of a crash are recovered and
 * removed by the same open and close.
 */
export function sqliteInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } finally {
    db.close();
  }
  return sideFiles(file).some((f) => existsSync(f));
}

/**
 * Restores `target` from the backup `from`: checks the backup, refuses a target a running
 * server holds, and an existing one without `force`; copies, then checks the result.
 */
export async function restoreSqlite(from: string, target: string, options: { force?: boolean } = {}): Promise<CheckedCopy> {
  checkCopy(from);
  if (existsSync(target)) {
    if (sqliteInUse(target)) throw new BackupError(`${target} is open in another process (a running callevt?); stop it before restoring`);
    if (options.force !== true) throw new BackupError(`${target} exists; pass --force to replace it`);
  }
  const copied = await backupSqlite(from, target, { force: true });
  for (const f of sideFiles(target)) rmSync(f, { force: true });
  return copied;
}
