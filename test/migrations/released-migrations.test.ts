import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migratePostgres } from '../../src/storage/postgres/migrate.js';
import { openPostgres } from '../../src/storage/postgres/open-postgres.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrate.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createTestSchema, describePostgres, type TestSchema } from '../postgres/pg-test-schema.js';
import { RELEASED_POSTGRES_SCHEMA, RELEASED_SQLITE_SCHEMA } from './released-schema-snapshot.js';
import { dumpPostgresSchema, dumpSqliteSchema } from './schema-dump.js';

/** The last migration released before the definitions were rewritten (released-schema-snapshot.ts). */
const RELEASED_VERSION = 8;

// Migrations 1–8 are released: databases made by them exist. Whatever form their
// definition takes, a new database must get exactly the schema they made then.

describe('released migrations 1–8 on SQLite', () => {
  it('when a new database is migrated, then its schema equals the released one, SQL text included', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0, RELEASED_VERSION);
      assert.deepEqual(dumpSqliteSchema(db), RELEASED_SQLITE_SCHEMA);
    } finally {
      db.close();
    }
  });
});

describePostgres('released migrations 1–8 on PostgreSQL', (url) => {
  let schema: TestSchema;
  before(async () => {
    schema = await createTestSchema(url);
  });
  after(async () => {
    await schema?.drop();
  });

  it('when a new schema is migrated, then its columns, indexes and constraints equal the released ones', async () => {
    const pool = openPostgres(schema.url, { poolMax: 1 });
    try {
      await migratePostgres(pool, 0, RELEASED_VERSION);
      assert.deepEqual(await dumpPostgresSchema(pool), RELEASED_POSTGRES_SCHEMA);
    } finally {
      await pool.end();
    }
  });
});
