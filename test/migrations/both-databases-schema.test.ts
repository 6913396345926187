import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migratePostgres } from '../../src/storage/postgres/migrate.js';
import { openPostgres } from '../../src/storage/postgres/open-postgres.js';
import { MIGRATIONS } from '../../src/storage/sql/migrations.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrate.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createTestSchema, describePostgres, type TestSchema } from '../postgres/pg-test-schema.js';
import { dumpPostgresSchema, dumpSqliteSchema, type PostgresSchemaDump, postgresColumns, type SqliteSchemaDump, sqliteColumns } from './schema-dump.js';

describe('the migrations', () => {
  it('when the steps are listed, then their versions run 1, 2, 3… without gaps', () => {
    assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
  });
});

describePostgres('the migrations on both databases', (url) => {
  let schema: TestSchema;
  let sqlite: SqliteSchemaDump;
  let postgres: PostgresSchemaDump;
  before(async () => {
    schema = await createTestSchema(url);
    const pool = openPostgres(schema.url, { poolMax: 1 });
    try {
      await migratePostgres(pool, 0);
      postgres = await dumpPostgresSchema(pool);
    } finally {
      await pool.end();
    }
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      sqlite = dumpSqliteSchema(db);
    } finally {
      db.close();
    }
  });
  after(async () => {
    await schema?.drop();
  });

  it('when every migration has run, then both have the same tables and columns: names, order, nullability and type', () => {
    assert.deepEqual(postgresColumns(postgres), sqliteColumns(sqlite));
  });

  it('when every migration has run, then both have the same secondary indexes', () => {
    const keyIndex = /_(pkey|key)$/;
    const pgIndexes = postgres.indexes.filter((i) => !keyIndex.test(i.indexname)).map((i) => `${i.tablename}.${i.indexname}`).sort();
    const sqliteIndexes = sqlite.objects.filter((o) => o.type === 'index').map((o) => `${o.tbl_name}.${o.name}`).sort();
    assert.deepEqual(pgIndexes, sqliteIndexes);
  });
});
