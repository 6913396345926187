import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CALL_FIELDS } from '../../src/domain/call-event.js';
import { migratePostgres, POSTGRES_DIALECT } from '../../src/storage/postgres/migrate.js';
import { openPostgres } from '../../src/storage/postgres/open-postgres.js';
import { CALL_FACT_COLUMNS } from '../../src/storage/sql/call-columns.js';
import { columnTypeSql, type SqlDialect } from '../../src/storage/sql/sql-dialect.js';
import { migrateSqlite, SQLITE_DIALECT } from '../../src/storage/sqlite/migrate.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createTestSchema, describePostgres, type TestSchema } from '../postgres/pg-test-schema.js';
import { dumpPostgresSchema, dumpSqliteSchema } from './schema-dump.js';

// The fields are defined once (CALL_FIELDS) and the schema by migrations: a field added to
// one and not the other, or with another type or nullability, fails here. Column order is
// history (ALTER TABLE adds at the end), so columns are compared by name.

interface ColumnFacts {
  name: string;
  type: string;
  notNull: boolean;
}

/** The calls columns the definitions describe, but its id (name, SQL type in a dialect, NOT NULL), by name. */
function expectedCallColumns(d: SqlDialect): ColumnFacts[] {
  return byName([
    ...CALL_FIELDS.map((f) => ({ name: f.name, type: columnTypeSql(d, f.column), notNull: f.required })),
    ...CALL_FACT_COLUMNS.map((c) => ({ name: c.name, type: columnTypeSql(d, c.column), notNull: true })),
  ]);
}

function byName(columns: ColumnFacts[]): ColumnFacts[] {
  return [...columns].sort((a, b) => a.name.localeCompare(b.name));
}

describe('the calls table on SQLite', () => {
  it('when every migration has run, then its columns are the fields of CALL_FIELDS and the call facts, typed and nullable as defined', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      const columns = dumpSqliteSchema(db).columns.calls ?? [];
      assert.equal(columns[0]?.name, 'id');
      assert.deepEqual(byName(columns.slice(1).map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 }))), expectedCallColumns(SQLITE_DIALECT));
    } finally {
      db.close();
    }
  });
});

describePostgres('the calls table on PostgreSQL', (url) => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema(url);
  });
  after(async () => {
    await schema?.drop();
  });

  it('when every migration has run, then its columns are the fields of CALL_FIELDS and the call facts, typed and nullable as defined', async () => {
    const pool = openPostgres(schema.url, { poolMax: 1 });
    try {
      await migratePostgres(pool, 0);
      const columns = (await dumpPostgresSchema(pool)).columns.filter((c) => c.table_name === 'calls');
      assert.equal(columns[0]?.column_name, 'id');
      assert.deepEqual(
        byName(columns.slice(1).map((c) => ({ name: String(c.column_name), type: String(c.data_type).toUpperCase(), notNull: c.is_nullable === 'NO' }))),
        expectedCallColumns(POSTGRES_DIALECT),
      );
    } finally {
      await pool.end();
    }
  });
});
