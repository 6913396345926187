import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_CALL_FIELDS } from '../../src/domain/group-call-event.js';
import { migratePostgres, POSTGRES_DIALECT } from '../../src/storage/postgres/migrate.js';
import { openPostgres } from '../../src/storage/postgres/open-postgres.js';
import { GROUP_EVENT_INSERT_TYPED_COLUMNS } from '../../src/storage/sql/group-call-rows.js';
import { columnTypeSql, type SqlDialect } from '../../src/storage/sql/sql-dialect.js';
import { migrateSqlite, SQLITE_DIALECT } from '../../src/storage/sqlite/migrate.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createTestSchema, describePostgres, type TestSchema } from '../postgres/pg-test-schema.js';
import { dumpPostgresSchema, dumpSqliteSchema } from './schema-dump.js';

// Migration 15 writes the group_call_events columns out (a released step never changes),
// GROUP_CALL_FIELDS defines them: a field added to one and not the other, or with another
// type or nullability, fails here; so does a column the recorder fills that is missing.

interface ColumnFacts {
  name: string;
  type: string;
  notNull: boolean;
}

/** The columns the field definitions and the recorder's own facts describe, by name. */
function expectedGroupEventColumns(d: SqlDialect): ColumnFacts[] {
  return byName([
    ...GROUP_CALL_FIELDS.map((f) => ({ name: f.name, type: columnTypeSql(d, f.column), notNull: f.required })),
    { name: 'extra', type: 'TEXT', notNull: true },
    { name: 'content_hash', type: 'TEXT', notNull: true },
    { name: 'received_at', type: d.int64, notNull: true },
    { name: 'raw_request_id', type: d.int64, notNull: true },
    { name: 'conflicts', type: 'INTEGER', notNull: true },
  ]);
}

function byName(columns: ColumnFacts[]): ColumnFacts[] {
  return [...columns].sort((a, b) => a.name.localeCompare(b.name));
}

describe('the group_call_events table on SQLite', () => {
  it('when every migration has run, then its columns are the fields of GROUP_CALL_FIELDS and the delivery facts, typed and nullable as defined', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      const columns = dumpSqliteSchema(db).columns.group_call_events ?? [];
      assert.deepEqual(byName(columns.map((c) => ({ name: c.name, type: c.type, notNull: c.notnull === 1 }))), expectedGroupEventColumns(SQLITE_DIALECT));
    } finally {
      db.close();
    }
  });

  it('when the recorder inserts an event, then every column it names exists, of the type its PostgreSQL batch casts to', () => {
    // PostgreSQL's types: SQLite's INTEGER would not tell int32 from int64.
    const types = new Map(expectedGroupEventColumns(POSTGRES_DIALECT).map((c) => [c.name, c.type]));
    assert.deepEqual(GROUP_EVENT_INSERT_TYPED_COLUMNS.filter((c) => types.get(c.name) !== columnTypeSql(POSTGRES_DIALECT, c.column)), []);
  });
});

describePostgres('the group_call_events table on PostgreSQL', (url) => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema(url);
  });
  after(async () => {
    await schema?.drop();
  });

  it('when every migration has run, then its columns are the fields of GROUP_CALL_FIELDS and the delivery facts, typed and nullable as defined', async () => {
    const pool = openPostgres(schema.url, { poolMax: 1 });
    try {
      await migratePostgres(pool, 0);
      const columns = (await dumpPostgresSchema(pool)).columns.filter((c) => c.table_name === 'group_call_events');
      assert.deepEqual(
        byName(columns.map((c) => ({ name: String(c.column_name), type: String(c.data_type).toUpperCase(), notNull: c.is_nullable === 'NO' }))),
        expectedGroupEventColumns(POSTGRES_DIALECT),
      );
    } finally {
      await pool.end();
    }
  });
});
