import type { CallFieldColumn } from '../../domain/call-event.js';

/**
 * What differs between the SQL databases in a schema definition; each adapter's migrate.ts
 * holds its own. Everything else in a migration or a column type is written once.
 */
export interface SqlDialect {
  readonly name: string;
  /** A table's own id: SQLite's rowid alias, PostgreSQL's identity column. */
  readonly idColumn: string;
  /** A 64-bit integer (times, ids, sums); SQLite's INTEGER holds 64 bits. */
  readonly int64: string;
  /** A 32-bit integer (codes, counts). */
  readonly int32: string;
  /** Ends CREATE TABLE for a table read only by its primary key (SQLite keeps it without a rowid). */
  readonly withoutRowid: string;
}

/** The type of a column, in the terms of the schema definitions (CALL_FIELDS, call-columns.ts). */
export type ColumnType = CallFieldColumn;

/** A column type in a dialect's SQL. */
export function columnTypeSql(d: SqlDialect, type: ColumnType): string {
  return type === 'text' ? 'TEXT' : type === 'int32' ? d.int32 : d.int64;
}
