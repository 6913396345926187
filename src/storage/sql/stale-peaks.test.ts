import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POSTGRES_DIALECT } from '../postgres/migrate.js';
import { migrateSqlite, SQLITE_DIALECT } from '../sqlite/migrate.js';
import { openSqlite } from '../sqlite/open-sqlite.js';
import { MIGRATIONS } from './migrations.js';
import { Kysely, SqliteDialect } from 'kysely';
import { reachAt } from '../../domain/stats/peak-reach.js';
import { reachAtJson } from './rollup-rows.js';
import type { Database } from './schema-types.js';
import { SPILL_PREDICATE, STALE_PEAK_SQL } from './stale-peaks.js';
import { spillingCallsQuery } from './stats-edges.js';

const squash = (sql: string) => sql.replace(/\s+/g, ' ');

describe('stale peaks: the spill query and its partial index', () => {
  it('when the migrations create calls_spill, then its predicate is the one the query repeats, in both dialects', () => {
    for (const dialect of [SQLITE_DIALECT, POSTGRES_DIALECT]) {
      const sql = squash(MIGRATIONS.map((m) => m.sql(dialect)).join('\n'));
      assert.ok(sql.includes(`CREATE INDEX calls_spill ON calls (setup_time, end_time) WHERE ${SPILL_PREDICATE};`), 'calls_spill predicate');
    }
    assert.ok(squash(STALE_PEAK_SQL.selectSpill).includes(SPILL_PREDICATE));
  });

  it('when SQLite plans the spill query, then it reads the partial index, not the table by setup_time', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${STALE_PEAK_SQL.selectSpill}`).all(0, 3600, 3600) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      assert.match(plan, /USING INDEX calls_spill/);
    } finally {
      db.close();
    }
  });
});

describe('reachAtJson', () => {
  it('when a stored reach vector is read at any index, then it equals parsing it and reading with reachAt', () => {
    for (const reach of [[0], [3], [1, 2], [5, 7, 9, 12], [10, 100, 1000]]) {
      const row = { peak_reach: JSON.stringify(reach), peak_concurrency: reach[0] as number };
      for (let i = 0; i < 30; i++) assert.equal(reachAtJson(row, i), reachAt(reach, i), `${JSON.stringify(reach)} at ${i}`);
    }
    assert.equal(reachAtJson({ peak_reach: '[]', peak_concurrency: 4 }, 3), 4);
  });
});

describe('stats edges: the spilling-calls query', () => {
  it('when SQLite plans the query for calls still talking after a window\'s whole hours, then it reads calls_spill', () => {
    const db = openSqlite(':memory:');
    try {
      migrateSqlite(db, 0);
      const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: db as never }) });
      const query = spillingCallsQuery(kysely, { time_field: 'setup_time', from: 0, to: 7200, type: 'A' }, 7200).compile();
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.parameters) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
      assert.match(plan, /USING INDEX calls_spill/);
    } finally {
      db.close();
    }
  });
});
