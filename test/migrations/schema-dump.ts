import type { SqliteDatabase } from '../../src/storage/sqlite/sqlite-driver.js';

/** Everything SQLite keeps about a schema: each object's own SQL text, and each table's columns. */
export interface SqliteSchemaDump {
  objects: Array<{ type: string; name: string; tbl_name: string; sql: string | null }>;
  columns: Record<string, Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>>;
}

/** Reads a SQLite database's schema (sqlite_master and pragma table_info), in name order. */
export function dumpSqliteSchema(db: SqliteDatabase): SqliteSchemaDump {
  const objects = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
    .all() as SqliteSchemaDump['objects'];
  const columns: SqliteSchemaDump['columns'] = {};
  for (const { name } of objects.filter((o) => o.type === 'table')) {
    columns[name] = (db.prepare(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info('${name}') ORDER BY cid`).all() as SqliteSchemaDump['columns'][string]);
  }
  return { objects, columns };
}

/** Everything PostgreSQL's catalogs say about a schema's tables, columns, indexes and constraints. */
export interface PostgresSchemaDump {
  columns: Array<Record<string, unknown>>;
  indexes: Array<{ tablename: string; indexname: string; indexdef: string }>;
  constraints: Array<{ table_name: string; conname: string; definition: string }>;
}

/** What the dump needs of a pg client. */
export interface PgDumpClient {
  query(text: string): Promise<{ rows: unknown[] }>;
}

/** Reads the current schema of a PostgreSQL connection (information_schema and pg_catalog), the schema's name left out. */
export async function dumpPostgresSchema(client: PgDumpClient): Promise<PostgresSchemaDump> {
  const columns = (await client.query(`SELECT table_name, ordinal_position, column_name, data_type, is_nullable,
      column_default, is_identity, identity_generation, character_maximum_length, numeric_precision
    FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)).rows as Array<Record<string, unknown>>;
  const schema = ((await client.query('SELECT current_schema() AS s')).rows[0] as { s: string }).s;
  const indexes = ((await client.query(`SELECT tablename, indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema() ORDER BY tablename, indexname`)).rows as PostgresSchemaDump['indexes'])
    .map((i) => ({ ...i, indexdef: i.indexdef.replaceAll(`${schema}.`, '') }));
  const constraints = (await client.query(`SELECT c.relname AS table_name, k.conname, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() ORDER BY c.relname, k.conname`)).rows as PostgresSchemaDump['constraints'];
  return { columns, indexes, constraints };
}

/** A column as both databases can state it: its name, whether it takes NULL, and its type family. */
export interface PortableColumn {
  name: string;
  nullable: boolean;
  type: 'integer' | 'text';
}

/** SQLite's tables as portable columns (a primary key column never holds NULL: rowid or WITHOUT ROWID). */
export function sqliteColumns(dump: SqliteSchemaDump): Record<string, PortableColumn[]> {
  return Object.fromEntries(Object.entries(dump.columns).map(([table, columns]) => [table, columns.map((c) => ({
    name: c.name,
    nullable: c.notnull === 0 && c.pk === 0,
    type: c.type === 'INTEGER' ? 'integer' : c.type === 'TEXT' ? 'text' : (`unknown ${c.type}` as 'text'),
  }))]));
}

/** PostgreSQL's tables as portable columns (integer and bigint are both integers). */
export function postgresColumns(dump: PostgresSchemaDump): Record<string, PortableColumn[]> {
  const tables: Record<string, PortableColumn[]> = {};
  for (const c of dump.columns) {
    const type = String(c.data_type);
    (tables[String(c.table_name)] ??= []).push({
      name: String(c.column_name),
      nullable: c.is_nullable === 'YES',
      type: type === 'integer' || type === 'bigint' ? 'integer' : type === 'text' ? 'text' : (`unknown ${type}` as 'text'),
    });
  }
  return tables;
}
