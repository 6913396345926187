import type { SqliteDatabase, SqliteStatement } from '../storage/sqlite/sqlite-driver.js';

/** Rows per multi-row INSERT statement (27 values per group event row: well under SQLite's limit on bound values). */
export const SEED_ROWS_PER_STATEMENT = 32;

/**
 * Rows of one table written SEED_ROWS_PER_STATEMENT at a time through one prepared
 * multi-row statement, from one reused array of values (no array per row or per chunk).
 */
export interface RowWriter {
  /** Adds one row's values, in column order. */
  add(values: readonly unknown[]): void;
  /** Writes the rows still held, one statement each. */
  flush(): void;
  rows: number;
}

/** A RowWriter into `table`'s `columns` on `db` (inside whatever transaction the caller holds). */
export function createRowWriter(db: SqliteDatabase, table: string, columns: readonly string[]): RowWriter {
  const row = `(${columns.map(() => '?').join(', ')})`;
  const prepare = (n: number): SqliteStatement =>
    db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: n }, () => row).join(', ')}`);
  const many = prepare(SEED_ROWS_PER_STATEMENT);
  const one = prepare(1);
  const width = columns.length;
  const values = new Array<unknown>(SEED_ROWS_PER_STATEMENT * width);
  let held = 0;
  const writer: RowWriter = {
    rows: 0,
    add(rowValues) {
      if (rowValues.length !== width) throw new Error(`${table}: ${rowValues.length} values for ${width} columns`);
      for (let i = 0; i < width; i++) values[held * width + i] = rowValues[i];
      held++;
      writer.rows++;
      if (held === SEED_ROWS_PER_STATEMENT) {
        many.run(values);
        held = 0;
      }
    },
    flush() {
      for (let r = 0; r < held; r++) one.run(values.slice(r * width, (r + 1) * width));
      held = 0;
    },
  };
  return writer;
}

/** A RowWriter for rows given as objects. */
export interface ObjectRowWriter {
  add(row: object): void;
  flush(): void;
  rows(): number;
}

/**
 * A RowWriter for rows given as objects (the row mappers' group_sessions and group_stays
 * rows): its columns are the first row's keys, in their order; every later row has the same.
 */
export function createObjectRowWriter(db: SqliteDatabase, table: string): ObjectRowWriter {
  let writer: RowWriter | undefined;
  let columns: string[] = [];
  return {
    add(row) {
      const values = row as Record<string, unknown>;
      if (writer === undefined) writer = createRowWriter(db, table, (columns = Object.keys(values)));
      writer.add(columns.map((c) => values[c]));
    },
    flush: () => writer?.flush(),
    rows: () => writer?.rows ?? 0,
  };
}
