import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateSqlite } from '../sqlite/migrate.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import { deliveriesQuery } from './delivery-queries.js';
import type { Database } from './schema-types.js';

describe('deliveriesQuery', () => {
  it('when SQLite plans it, then both halves search by index and neither scans raw_requests', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: db as never }) });
      const query = deliveriesQuery(kysely, '6364e8b3-bdac-436e-9631-0bce2498ce0c').compile();
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.parameters) as Array<{ detail: string }>).map((r) => r.detail);
      assert.ok(plan.some((step) => /SEARCH raw_requests USING INTEGER PRIMARY KEY/.test(step)), plan.join('; '));
      assert.ok(plan.some((step) => /SEARCH raw_requests USING INDEX raw_requests_sid_repeat/.test(step)), plan.join('; '));
      assert.ok(!plan.some((step) => /SCAN raw_requests/.test(step)), plan.join('; '));
    } finally {
      db.close();
    }
  });
});
