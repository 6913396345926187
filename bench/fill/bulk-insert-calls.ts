import Database from 'better-sqlite3';
import { CALL_INSERT_COLUMNS, type CallColumnName } from '../../src/storage/sql/call-columns.js';

/** Every column of the calls table but its id (a column a fill leaves out is NULL). */
const CALL_COLUMNS: readonly CallColumnName[] = CALL_INSERT_COLUMNS.map((c) => c.name);

export type CallColumn = CallColumnName;
type Value = string | number | null;

/** Rows per transaction while filling. */
const FILL_CHUNK_ROWS = 50_000;

/** How a benchmark's calls look: the columns every row shares, and the ones set per row. */
export interface CallFill<K extends CallColumn> {
  /** Columns with one value for all rows (written into the statement, not bound per row); any other is NULL. */
  fixed: Partial<Omit<Record<CallColumn, Value>, K>>;
  /** Columns set per row. */
  varying: readonly K[];
  /** Writes call i's varying columns into `row` (one object, reused). */
  setRow: (row: Record<K, Value>, i: number) => void;
}

const sqlLiteral = (v: Value): string => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`);

/**
 * Bulk-inserts `count` calls into a SQLite database the store has already migrated.
 * One transaction per FILL_CHUNK_ROWS rows with synchronous=OFF: a bulk load for
 * benchmarks, not acknowledged callbacks; the store reopens the file with its own settings.
 */
export function bulkInsertCalls<K extends CallColumn>(file: string, count: number, fill: CallFill<K>): void {
  const fixed = fill.fixed as Record<string, Value>;
  const columns = [...fill.varying, ...CALL_COLUMNS.filter((c) => !(fill.varying as readonly string[]).includes(c))];
  const values = columns.map((c, j) => (j < fill.varying.length ? '?' : sqlLiteral(fixed[c] ?? null)));
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(`INSERT INTO calls (${columns.join(', ')}) VALUES (${values.join(', ')})`);
    const row = {} as Record<K, Value>;
    const bound = new Array<Value>(fill.varying.length);
    const insertRange = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        fill.setRow(row, i);
        for (let j = 0; j < bound.length; j++) bound[j] = row[fill.varying[j] as K];
        insert.run(bound);
      }
    });
    for (let from = 0; from < count; from += FILL_CHUNK_ROWS) insertRange(from, Math.min(count, from + FILL_CHUNK_ROWS));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
