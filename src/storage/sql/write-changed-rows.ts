import { placeholders, type SqlDialectName, type SqlSteps, sql } from './sql-steps.js';

/*
 * Writing what changed of rows worked out in code (the group sessions and stays): the
 * columns that differ from the stored row, and new rows many to a statement.
 */

/** Rows per INSERT: far below SQLite's and PostgreSQL's bound parameters per statement. */
const INSERT_CHUNK = 500;

/** A stored value and a value to store are the same when they would store the same (PostgreSQL's int8 may come back as text). */
function sameValue(stored: unknown, value: unknown): boolean {
  return stored === null || value === null ? stored === value : String(stored) === String(value);
}

/** UPDATE of the columns of `row` that differ from the stored row, by its key columns; nothing when none differs. */
export function* updateChanged(table: string, stored: object, row: object, key: readonly string[]): SqlSteps<void> {
  const changed = changedColumns(stored, row, key);
  if (changed.length === 0) return;
  const keyValues = key.map((column) => (row as Record<string, unknown>)[column]);
  yield sql(`UPDATE ${table} SET ${changed.map(([c]) => `${c} = ?`).join(', ')} WHERE ${key.map((c) => `${c} = ?`).join(' AND ')}`,
    ...changed.map(([, v]) => v), ...keyValues);
}

/** The columns of `row` (its key aside) whose values differ from the stored row's, with their new values. */
function changedColumns(stored: object, row: object, key: readonly string[]): Array<[string, unknown]> {
  const before = stored as Record<string, unknown>;
  return Object.entries(row).filter(([column, value]) => !key.includes(column) && !sameValue(before[column] ?? null, value));
}

/** One INSERT of rows that share their columns (one round trip on PostgreSQL). */
export function insertRows(table: string, rows: readonly object[]) {
  const columns = Object.keys(rows[0] as object);
  const values = `(${placeholders(columns.length)})`;
  return sql(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => values).join(', ')}`,
    ...rows.flatMap((r) => Object.values(r)));
}

/**
 * New rows of one table, inserted: on PostgreSQL INSERT_CHUNK rows a statement (a round trip
 * each); on SQLite, which has no round trip, one row a statement, whose one text stays
 * prepared (a text per row count would be prepared again and again).
 */
export function* insertRowsIn(dialect: SqlDialectName, table: string, rows: readonly object[]): SqlSteps<void> {
  const perInsert = dialect === 'postgres' ? INSERT_CHUNK : 1;
  for (let i = 0; i < rows.length; i += perInsert) yield insertRows(table, rows.slice(i, i + perInsert));
}

/**
 * Rows worked out in code beside the rows stored for them (same table, same columns each):
 * those with a changed column are written. SQLite, which has no round trip, updates each
 * row's changed columns; PostgreSQL updates every column of all the changed rows in one
 * statement, the rows passed as JSON and typed by the table's own row type
 * (`json_populate_recordset`), so that no column type is restated here.
 */
export function* updateChangedRows(dialect: SqlDialectName, table: string, key: readonly string[], changes: ReadonlyArray<{ stored: object; row: object }>): SqlSteps<void> {
  if (dialect === 'sqlite') {
    for (const { stored, row } of changes) yield* updateChanged(table, stored, row, key);
    return;
  }
  const changed = changes.filter(({ stored, row }) => changedColumns(stored, row, key).length > 0).map((c) => c.row);
  if (changed.length === 0) return;
  const columns = Object.keys(changed[0] as object).filter((c) => !key.includes(c));
  yield sql(`UPDATE ${table} AS t SET ${columns.map((c) => `${c} = u.${c}`).join(', ')}
    FROM json_populate_recordset(NULL::${table}, ?::json) AS u WHERE ${key.map((c) => `t.${c} = u.${c}`).join(' AND ')}`, JSON.stringify(changed));
}
