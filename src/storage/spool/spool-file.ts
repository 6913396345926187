import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type CallbackRecord, sidOfRecord } from '../port.js';
import type { SqliteDatabase, SqliteStatement } from '../sqlite/sqlite-driver.js';

/** The spool file's layout version (PRAGMA user_version); a file of another version is refused. */
export const SPOOL_FORMAT_VERSION = 2;
/** Formats this version opens (1 gains the held_callbacks table). */
const READABLE_FORMATS = new Set([0, 1, SPOOL_FORMAT_VERSION]);

/** One record held apart (the database refused it for a reason other than availability). */
export interface HeldRecord {
  id: number;
  record: CallbackRecord;
  /** What the database said. */
  error: string;
  /** Unix milliseconds. */
  heldAt: number;
}

/** One record waiting in the spool, with its place in line. */
export interface SpooledRecord {
  id: number;
  record: CallbackRecord;
}

/**
 * A local, durable queue of callback records (one SQLite file, WAL, synchronous=FULL):
 * when `append` returns, the records survive a crash or power loss of this machine.
 * Records come out oldest first. One process at a time: the file is locked exclusively.
 *
 * @example
 * const spool = openSpoolFile('./data/spool.db');
 * spool.append(records);
 * const oldest = spool.readOldest(512);
 * spool.remove(oldest.map((r) => r.id));
 */
export interface SpoolFile {
  readonly file: string;
  /** How many records wait. */
  readonly size: number;
  /** Writes the records (one transaction, fsynced) in order. */
  append(records: readonly CallbackRecord[]): void;
  /** Up to `limit` records, oldest first. */
  readOldest(limit: number): SpooledRecord[];
  /** Deletes these records (durably). */
  remove(ids: readonly number[]): void;
  /**
   * Moves a record the database refused for a reason other than availability out of the
   * line into the held table (durably, with why), so that the records behind it go on.
   */
  hold(id: number, error: string, heldAt: number): void;
  /** How many records are held (never deleted by callevt). */
  readonly held: number;
  /** The held records, oldest first. */
  listHeld(): HeldRecord[];
  /**
   * Rewrites every waiting and held record for which `rewrite` returns a new one (null:
   * unchanged), in one transaction; returns how many changed. For erasure.
   */
  rewriteRecords(rewrite: (record: CallbackRecord) => CallbackRecord | null): number;
  /** Puts held records (these ids, or all) back in line, at the back; returns how many moved. */
  requeue(ids?: readonly number[]): number;
  close(): void;
}

/** The sid a spooled record names, if any (a malformed one may have none). */
export function spooledSid(record: CallbackRecord): string | null {
  return sidOfRecord(record);
}

/** Raised when the spool file cannot be used (locked by another process, unknown format). */
export class SpoolFileError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SpoolFileError';
  }
}

/** Opens (creating if needed) a spool file and takes its exclusive lock. */
export function openSpoolFile(file: string): SpoolFile {
  mkdirSync(dirname(file), { recursive: true });
  // No busy wait: a second process on the same file must fail at start, not hang.
  const db = new Database(file, { timeout: 0 }) as unknown as SqliteDatabase;
  try {
    // Exclusive locking before WAL: no shared memory, and no other process can read or write.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new SpoolFileError(`spool file ${file}: WAL journal refused (got ${String(mode)})`);
    db.pragma('synchronous = FULL');
    const version = Number(db.pragma('user_version', { simple: true }));
    if (!READABLE_FORMATS.has(version)) {
      throw new SpoolFileError(`spool file ${file} has format ${version}; this callevt reads format ${SPOOL_FORMAT_VERSION}`);
    }
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS spooled_callbacks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at INTEGER NOT NULL,
        record TEXT NOT NULL)`);
      db.exec(`CREATE TABLE IF NOT EXISTS held_callbacks (
        id INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        record TEXT NOT NULL,
        error TEXT NOT NULL,
        held_at INTEGER NOT NULL)`);
      db.pragma(`user_version = ${SPOOL_FORMAT_VERSION}`);
    }).immediate(); // a write: takes and keeps the exclusive lock
  } catch (error) {
    db.close();
    if (error instanceof SpoolFileError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new SpoolFileError(`spool file ${file} is in use by another process: give each receiver its own SPOOL_FILE`, { cause: error });
    }
    throw error;
  }
  return new SqliteSpoolFile(file, db);
}

class SqliteSpoolFile implements SpoolFile {
  private count: number;
  private heldCount: number;
  private readonly insert: SqliteStatement;
  private readonly select: SqliteStatement;
  private readonly delete: SqliteStatement;
  private readonly appendAll: (records: readonly CallbackRecord[]) => void;
  private readonly removeAll: (ids: readonly number[]) => number;
  private readonly holdOne: (id: number, error: string, heldAt: number) => number;
  private readonly requeueAll: (ids: readonly number[] | undefined) => number;

  constructor(readonly file: string, private readonly db: SqliteDatabase) {
    this.count = Number((db.prepare('SELECT count(*) AS n FROM spooled_callbacks').get() as { n: number }).n);
    this.heldCount = Number((db.prepare('SELECT count(*) AS n FROM held_callbacks').get() as { n: number }).n);
    this.insert = db.prepare('INSERT INTO spooled_callbacks (received_at, record) VALUES (?, ?)');
    this.select = db.prepare('SELECT id, record FROM spooled_callbacks ORDER BY id LIMIT ?');
    this.delete = db.prepare('DELETE FROM spooled_callbacks WHERE id = ?');
    this.appendAll = db.transaction((records: readonly CallbackRecord[]) => {
      for (const record of records) this.insert.run(record.raw.receivedAt, JSON.stringify(record));
    });
    this.removeAll = db.transaction((ids: readonly number[]) => {
      let removed = 0;
      for (const id of ids) removed += this.delete.run(id).changes;
      return removed;
    });
    const copyHeld = db.prepare(`INSERT INTO held_callbacks (id, received_at, record, error, held_at)
      SELECT id, received_at, record, ?, ? FROM spooled_callbacks WHERE id = ?`);
    this.holdOne = db.transaction((id: number, error: string, heldAt: number) => {
      const copied = copyHeld.run(error, heldAt, id).changes;
      this.delete.run(id);
      return copied;
    });
    const heldIds = db.prepare('SELECT id FROM held_callbacks ORDER BY id');
    const requeueOne = db.prepare('INSERT INTO spooled_callbacks (received_at, record) SELECT received_at, record FROM held_callbacks WHERE id = ?');
    const deleteHeld = db.prepare('DELETE FROM held_callbacks WHERE id = ?');
    this.requeueAll = db.transaction((ids: readonly number[] | undefined) => {
      let moved = 0;
      for (const id of ids ?? (heldIds.all() as Array<{ id: number }>).map((row) => row.id)) {
        if (requeueOne.run(id).changes === 0) continue;
        deleteHeld.run(id);
        moved += 1;
      }
      return moved;
    });
  }

  get size(): number {
    return this.count;
  }

  append(records: readonly CallbackRecord[]): void {
    if (records.length === 0) return;
    this.appendAll(records);
    this.count += records.length;
  }

  readOldest(limit: number): SpooledRecord[] {
    return (this.select.all(limit) as Array<{ id: number; record: string }>).map((row) => ({
      id: row.id,
      record: JSON.parse(row.record) as CallbackRecord,
    }));
  }

  remove(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.count -= this.removeAll(ids);
  }

  hold(id: number, error: string, heldAt: number): void {
    const moved = this.holdOne(id, error, heldAt);
    this.count -= moved;
    this.heldCount += moved;
  }

  get held(): number {
    return this.heldCount;
  }

  listHeld(): HeldRecord[] {
    const rows = this.db.prepare('SELECT id, record, error, held_at FROM held_callbacks ORDER BY id').all() as Array<{ id: number; record: string; error: string; held_at: number }>;
    return rows.map((row) => ({ id: row.id, record: JSON.parse(row.record) as CallbackRecord, error: row.error, heldAt: row.held_at }));
  }

  rewriteRecords(rewrite: (record: CallbackRecord) => CallbackRecord | null): number {
    return this.db.transaction(() => {
      let changed = 0;
      for (const table of ['spooled_callbacks', 'held_callbacks']) {
        const update = this.db.prepare(`UPDATE ${table} SET record = ? WHERE id = ?`);
        for (const row of this.db.prepare(`SELECT id, record FROM ${table}`).all() as Array<{ id: number; record: string }>) {
          const next = rewrite(JSON.parse(row.record) as CallbackRecord);
          if (next === null) continue;
          update.run(JSON.stringify(next), row.id);
          changed += 1;
        }
      }
      return changed;
    }).immediate();
  }

  requeue(ids?: readonly number[]): number {
    const moved = this.requeueAll(ids);
    this.heldCount -= moved;
    this.count += moved;
    return moved;
  }

  close(): void {
    this.db.close();
  }
}
