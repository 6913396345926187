import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { REBUILD_SLOTS_PER_TRANSACTION } from './rollups.js';
import { openSqlite } from './open-sqlite.js';
import { createSqliteStore } from './sqlite-store.js';

/** 2026-01-01T00:00:00Z. */
const BASE = 1_767_225_600;
const H = 3_600;

describe('migration 5 (peak reach) on a database written before it', () => {
  it('when an old database is opened, then every hour is refreshed once and peaks across hours are exact', async () => {
    const temp = tempDatabaseFile();
    try {
      // Calls in more hours than one refresh transaction takes, each pair overlapping across an hour boundary.
      const hours = REBUILD_SLOTS_PER_TRANSACTION * 2 + 5;
      const first = createSqliteStore(temp.file);
      for (let h = 0; h < hours; h++) {
        const talk = (setup: number, end: number) =>
          deliveryOf(validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(end), duration: String(end - setup - 5), billing_sec: '1' }));
        const start = BASE + h * 4 * H;
        await first.recordCallbacks([talk(start + H - 100, start + H + 300), talk(start + H + 10, start + H + 200)]);
      }
      await first.close();
      // Back to the shape before migration 5: no reach columns, no spill index, no marks
      // (and no index of migration 9 over the reach column).
      const db = openSqlite(temp.file);
      db.exec(`DROP INDEX call_rollups_peaks; DROP INDEX calls_spill; ALTER TABLE call_rollups DROP COLUMN peak_reach; ALTER TABLE call_rollups DROP COLUMN long_calls;
        DELETE FROM rollup_stale_peaks; DELETE FROM schema_migrations WHERE version = 5;`);
      db.close();

      const upgraded = createSqliteStore(temp.file);
      try {
        const summary = await upgraded.statsSummary({ filter: { time_field: 'setup_time' } });
        assert.equal(summary.source, 'rollups');
        assert.equal(summary.summary.attempts, hours * 2);
        assert.equal(summary.summary.peak_concurrency, 2);
        const exact = await upgraded.statsSummary({ filter: { time_field: 'setup_time' }, exact: true });
        assert.equal(exact.summary.peak_concurrency, 2);
      } finally {
        await upgraded.close();
      }
      const after = openSqlite(temp.file);
      try {
        assert.equal((after.prepare('SELECT count(*) AS n FROM rollup_stale_peaks').get() as { n: number }).n, 0);
        assert.equal((after.prepare("SELECT count(*) AS n FROM call_rollups WHERE peak_reach = '[]'").get() as { n: number }).n, 0);
      } finally {
        after.close();
      }
    } finally {
      temp.cleanup();
    }
  });
});
