import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallFilter } from '../../src/domain/call-filter.js';
import { bucketBoundaries } from '../../src/domain/stats/time-buckets.js';
import type { CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { toDollarParams } from '../../src/storage/sql/rollup-refresh.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';
import { deliveryOf } from '../contract/ingest-contract.js';

/** One database the scenario opens twice, and reads or writes directly in between (`?` placeholders). */
interface UpgradeTarget {
  openStore(): Promise<CallStore>;
  query(text: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
}

/** 2026-01-01T00:00:00Z. */
const T = 1_767_225_600;

/** Calls over three days, many talking across quarter-hours, hours and days (a small deterministic generator). */
function calls(n: number) {
  let x = 7;
  const next = (m: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x % m;
  };
  return Array.from({ length: n }, (_, i) => {
    const setup = T + next(3 * 86_400);
    const answered = next(4) > 0;
    const start = answered ? setup + next(30) : 0;
    const duration = answered ? 1 + next(next(5) === 0 ? 14_400 : 900) : 0;
    return deliveryOf(validCallbackValues({
      sid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
      setup_time: String(setup), start_time: String(start), end_time: String(answered ? start + duration : setup + 5),
      duration: String(duration), billing_sec: String(duration), terminate: answered ? '16' : '17',
    }));
  });
}

/**
 * A database written before migration 9 (calls and hourly rollups, no quarter-hour rollups
 * or blocks): opening it runs the step, which must build them from the stored calls, exact
 * peaks included and nothing left stale, so that zones off the hour answer from the rollups
 * exactly as a scan does.
 */
async function upgradeScenario(target: UpgradeTarget): Promise<void> {
  const before = await target.openStore();
  await before.recordCallbacks(calls(400));
  await before.close();
  for (const text of ['DROP INDEX call_rollups_peaks', 'DROP TABLE call_rollups_q', 'DROP TABLE rollup_stale_peaks_q', 'DROP TABLE call_rollup_blocks', 'DROP TABLE rollup_stale_blocks', 'DELETE FROM schema_migrations WHERE version = 9']) {
    await target.query(text, []);
  }
  const store = await target.openStore();
  try {
    const count = async (table: string) => Number((await target.query(`SELECT count(*) AS n FROM ${table}`, []))[0]?.n);
    assert.ok((await count('call_rollups_q')) > 3 * 96, 'quarter-hour rows for every quarter with calls, per dimension');
    assert.ok((await count('call_rollup_blocks')) > 0);
    assert.equal(await count('rollup_stale_peaks_q'), 0, 'built with exact peaks');
    assert.equal(await count('rollup_stale_blocks'), 0, 'blocks built');
    for (const tz of ['Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe']) {
      const filter: CallFilter = { time_field: 'setup_time', from: T + 1800, to: T + 3 * 86_400 - 2700 };
      const boundaries = bucketBoundaries(filter.from as number, filter.to as number, 'day', tz) ?? [];
      const fast = await store.statsTimeseries({ filter, bucket: 'day', tz, boundaries });
      const exact = await store.statsTimeseries({ filter, bucket: 'day', tz, boundaries, exact: true });
      assert.equal(fast.source, 'rollups', tz);
      assert.deepEqual(fast.items.map((i) => [i.attempts, i.answered, i.total_duration_sec, i.peak_concurrency]), exact.items.map((i) => [i.attempts, i.answered, i.total_duration_sec, i.peak_concurrency]), tz);
    }
    const window: CallFilter = { time_field: 'setup_time', from: T + 3 * 3600 + 437, to: T + 2 * 86_400 + 1111 };
    const fast = await store.statsSummary({ filter: window });
    const exact = await store.statsSummary({ filter: window, exact: true });
    assert.equal(fast.source, 'rollups');
    assert.deepEqual({ ...fast.summary, duration_p50_sec: 0, duration_p90_sec: 0, duration_p99_sec: 0 }, { ...exact.summary, duration_p50_sec: 0, duration_p90_sec: 0, duration_p99_sec: 0 });
  } finally {
    await store.close();
  }
}

describe('migration 9 (quarter-hour rollups and blocks) on a SQLite database written before it', () => {
  it('when calls were stored before the step, then it builds the new rollups from them and zones off the hour answer from rollups, exactly', async () => {
    const temp = tempDatabaseFile();
    try {
      await upgradeScenario({
        openStore: async () => createSqliteStore(temp.file),
        query: async (text, params) => {
          const db = openSqlite(temp.file);
          try {
            if (!/^\s*SELECT/i.test(text)) {
              db.prepare(text).run(...params);
              return [];
            }
            return db.prepare(text).all(...params) as Array<Record<string, unknown>>;
          } finally {
            db.close();
          }
        },
      });
    } finally {
      temp.cleanup();
    }
  });
});

describePostgres('migration 9 (quarter-hour rollups and blocks) on a PostgreSQL database written before it', (url) => {
  it('when calls were stored before the step, then it builds the new rollups from them and zones off the hour answer from rollups, exactly', async () => {
    const schema = await createTestSchema(url);
    try {
      await upgradeScenario({
        openStore: () => createPostgresStore(schema.url),
        query: (text, params) =>
          withClient(url, async (client) => {
            await client.query(`SET search_path TO ${schema.schema}`);
            return (await client.query(toDollarParams(text), params)).rows as Array<Record<string, unknown>>;
          }),
      });
    } finally {
      await schema.drop();
    }
  });
});
