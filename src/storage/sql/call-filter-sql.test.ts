import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { ABSENT_OPTIONAL_FIELDS } from '../../domain/call-event.js';
import type { CallFilter } from '../../domain/call-filter.js';
import { migratePostgres } from '../postgres/migrate.js';
import { migrateSqlite } from '../sqlite/migrate.js';
import type { SqliteDatabase } from '../sqlite/sqlite-driver.js';
import { applyCallFilter } from './call-filter-sql.js';
import type { CallsTable, Database as Schema } from './schema-types.js';

/** The PostgreSQL the tests use (PG_URL, as the contract suite); skipped when it does not answer. */
const POSTGRES_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Row = Omit<CallsTable, 'id'> & { id: number };

function row(id: number, overrides: Partial<Row>): Row {
  return {
    ...ABSENT_OPTIONAL_FIELDS,
    id, sid: randomUUID(), from_service_id: 'svc.a', from_user_id: 'alice', to_service_id: 'svc.b', to_user_id: 'bob',
    type: 'V', stid: null, app_svr_data: null, setup_time: 1000, start_time: 1005, end_time: 1100, duration: 95,
    billing_sec: 95, srcip: '1.2.3.4', dstip: '1.2.3.5', terminate: 16, disconnect_reason: 1001, releaser_type: 2,
    call_end_reason: null, releaser: null, rel_code: 1, rel_code_str: 'NORMAL', user_rel_code: null, extra: '{}',
    content_hash: 'h', received_at: 0, raw_request_id: id, conflicts: 0, outcome: 'completed', ended_by: 'caller',
    reason: 'NORMAL', reason_source: 'disconnect_reason', classifier_version: 1, ...overrides,
  };
}

/** Ten calls, each one different from the first in one filterable way. */
const ROWS: Row[] = [
  row(1, {}),
  row(2, { setup_time: 2000, end_time: 900 }),
  row(3, { from_user_id: 'carol' }),
  row(4, { to_user_id: 'alice', from_user_id: 'dave' }),
  row(5, { from_service_id: 'svc.x', to_service_id: 'svc.y' }),
  row(6, { type: 'A' }),
  row(7, { outcome: 'dropped', reason: 'NETWORK_UNSTABLE', ended_by: 'server', duration: 45 }),
  row(8, { outcome: 'failed', reason: 'PUSH_ERROR', ended_by: 'server', duration: 0 }),
  row(9, { duration: 5 }),
  row(10, { duration: 600, setup_time: 3000, end_time: 3600 }),
];

const CASES: Array<[string, Omit<CallFilter, 'time_field'> & { time_field?: CallFilter['time_field'] }, number[]]> = [
  ['no filter', {}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  ['from inclusive, to exclusive on setup_time', { from: 2000, to: 3000 }, [2]],
  ['from/to on end_time', { time_field: 'end_time', to: 1000 }, [2]],
  ['user matches either party', { user: 'alice' }, [1, 2, 4, 5, 6, 7, 8, 9, 10]],
  ['from_user_id', { from_user_id: 'carol' }, [3]],
  ['to_user_id', { to_user_id: 'alice' }, [4]],
  ['from_service_id', { from_service_id: 'svc.x' }, [5]],
  ['to_service_id', { to_service_id: 'svc.y' }, [5]],
  ['type', { type: 'A' }, [6]],
  ['several outcomes', { outcome: ['dropped', 'failed'] }, [7, 8]],
  ['reason', { reason: 'PUSH_ERROR' }, [8]],
  ['ended_by', { ended_by: 'server' }, [7, 8]],
  ['min_duration', { min_duration: 96 }, [10]],
  ['max_duration', { max_duration: 5 }, [8, 9]],
  ['several filters together', { user: 'alice', ended_by: 'server', min_duration: 1 }, [7]],
];

function describeFilterOn(name: string, open: () => Promise<{ db: Kysely<Schema>; close: () => Promise<void> } | null>) {
  describe(`applyCallFilter on ${name}`, () => {
    let db: Kysely<Schema> | null = null;
    let close = async () => {};
    before(async () => {
      const opened = await open();
      if (opened === null) return;
      db = opened.db;
      close = opened.close;
      await db.insertInto('calls').values(ROWS).execute();
    });
    after(() => close());
    for (const [label, partial, expected] of CASES) {
      it(`when filtering by ${label}, then exactly calls ${expected.join(',')} match`, async (t) => {
        if (db === null) return t.skip(`${name} is not reachable`);
        const filter: CallFilter = { time_field: 'setup_time', ...partial };
        const rows = await applyCallFilter(db.selectFrom('calls').select('id'), filter).orderBy('id').execute();
        assert.deepEqual(rows.map((r) => Number(r.id)), expected);
      });
    }
  });
}

describeFilterOn('SQLite', async () => {
  const raw = new Database(':memory:');
  migrateSqlite(raw as unknown as SqliteDatabase, 0);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, close: () => db.destroy() };
});

describeFilterOn('PostgreSQL', async () => {
  const schema = `filter_test_${randomUUID().replaceAll('-', '')}`;
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, connectionTimeoutMillis: 2_000, options: `-c search_path=${schema}` });
  try {
    await pool.query(`CREATE SCHEMA ${schema}`);
  } catch {
    await pool.end();
    return null;
  }
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  await migratePostgres(pool, 0);
  return {
    db,
    close: async () => {
      await sql.raw(`DROP SCHEMA ${schema} CASCADE`).execute(db);
      await db.destroy();
    },
  };
});
