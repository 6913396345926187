import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { validAgentCallStatusValues, validNotifyValues } from '../../../test/fixtures/callback-fixture.js';
import { keyedDeliveryOf } from '../../../test/contract/call-life-contract.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { runStatsLifecycle } from './stats-lifecycle.js';

/** 2026-01-01T00:00:00Z in ms. */
const T = 1_767_225_600_000;

describe('callevt stats lifecycle', () => {
  it('when a database holds a Notify and a failed Agent Call Status, then --json answers the API figures and the table names them', async () => {
    const db = tempDatabaseFile();
    try {
      const store = createSqliteStore(db.file);
      await store.recordCallbacks([
        keyedDeliveryOf('notify', validNotifyValues(), T + 60_000),
        keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ result: 'Fail', fail_reason: 'NO_MEDIA' }), T + 120_000),
      ]);
      await store.close();
      const options = { db: db.file, from: '2026-01-01', to: '2026-01-02' };
      const json = JSON.parse(await runStatsLifecycle({ ...options, json: true }, {})) as { notifies: number; endCoverage: number | null; agentCallStatus: { fail: number } };
      assert.equal(json.notifies, 1);
      assert.equal(json.endCoverage, 0);
      assert.equal(json.agentCallStatus.fail, 1);
      const text = await runStatsLifecycle(options, {});
      assert.match(text, /^end coverage\s+0\.0%$/m);
      assert.match(text, /^NO_MEDIA\s+1$/m);
      const series = await runStatsLifecycle({ ...options, bucket: 'hour', tz: 'Asia/Tokyo' }, {});
      assert.match(series, /^2026-01-01T09:00:00\+09:00\s+1\s+0/m);
    } finally {
      db.cleanup();
    }
  });
});
