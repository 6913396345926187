import { placeholders, type SqlSteps, sql } from './sql-steps.js';

/*
 * Writing what changed of rows worked out in code (the group sessions and stays): the
 * columns that differ from the stored row, and new rows many to a statement.
 */

/** Rows per INSERT: far below SQLite's and PostgreSQL's bound parameters per statement. */
export const INSERT_CHUNK = 500;

/** A stored value and a value to store are the same when they would store the same (PostgreSQL's int8 may come back as text). */
function sameValue(stored: unknown, value: unknown): boolean {
  return stored === null || value === null ? stored === value : String(stored) === String(value);
}

/** UPDATE of the columns of `row` that differ from the stored row, by its key columns; nothing when none differs. */
export function* updateChanged(table: string, stored: object, row: object, key: readonly string[]): SqlSteps<void> {
  const before = stored as Record<string, unknown>;
  const changed = Object.entries(row).filter(([column, value]) => !key.includes(column) && !sameValue(before[column] ?? null, value));
  if (changed.length === 0) return;
  const keyValues = key.map((column) => (row as Record<string, unknown>)[column]);
  yield sql(`UPDATE ${table} SET ${changed.map(([c]) => `${c} = ?`).join(', ')} WHERE ${key.map((c) => `${c} = ?`).join(' AND ')}`,
    ...changed.map(([, v]) => v), ...keyValues);
}

/** One INSERT of rows that share their columns (one round trip on PostgreSQL). */
export function insertRows(table: string, rows: readonly object[]) {
  const columns = Object.keys(rows[0] as object);
  const values = `(${placeholders(columns.length)})`;
  return sql(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => values).join(', ')}`,
    ...rows.flatMap((r) => Object.values(r)));
}
