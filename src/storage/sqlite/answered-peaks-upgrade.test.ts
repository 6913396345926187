import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { openSqlite } from './open-sqlite.js';
import { createSqliteStore } from './sqlite-store.js';

/** 2026-01-01T00:00:00Z. */
const BASE = 1_767_225_600;

describe('migration 8 (peaks of answered calls) on a database written before it', () => {
  it('when rollup rows hold peaks that counted calls not answered, then the upgrade recomputes them from answered calls', async () => {
    const temp = tempDatabaseFile();
    try {
      const first = createSqliteStore(temp.file);
      const talk = (setup: number) =>
        deliveryOf(validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 125), duration: '120', billing_sec: '120' }));
      await first.recordCallbacks([talk(BASE + 100), talk(BASE + 3600 + 100)]);
      assert.equal((await first.statsSummary({ filter: { time_field: 'setup_time' } })).summary.peak_concurrency, 1);
      await first.close();
      // Peaks as an older build could leave them: counting calls that talked without being answered.
      const db = openSqlite(temp.file);
      db.exec(`UPDATE call_rollups SET peak_concurrency = 3, peak_reach = '[3]';
        DELETE FROM rollup_stale_peaks; DELETE FROM schema_migrations WHERE version = 8;`);
      db.close();

      const upgraded = createSqliteStore(temp.file);
      try {
        const summary = await upgraded.statsSummary({ filter: { time_field: 'setup_time' } });
        assert.equal(summary.source, 'rollups');
        assert.equal(summary.summary.peak_concurrency, 1);
        const byOutcome = await upgraded.statsBreakdown({ filter: { time_field: 'setup_time' }, by: 'outcome', limit: 10 });
        assert.deepEqual(byOutcome.items.map((i) => [i.value, i.peak_concurrency]), [['completed', 1]]);
      } finally {
        await upgraded.close();
      }
    } finally {
      temp.cleanup();
    }
  });
});
