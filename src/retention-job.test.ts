import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { deliveryOf } from '../test/contract/ingest-contract.js';
import { validCallbackValues } from '../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../test/fixtures/test-app.js';
import { loadConfig } from './config/load-config.js';
import { startRetentionJob } from './retention-job.js';
import { createSqliteStore } from './storage/sqlite/sqlite-store.js';

describe('the retention job', () => {
  it('when limits are set, then a run removes what they no longer keep and stop() ends the schedule', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    try {
      const old = validCallbackValues();
      const recent = validCallbackValues({ setup_time: '1700086400', start_time: '1700086405', end_time: '1700086525' });
      await store.recordCallbacks([deliveryOf(old, 1_700_000_200_000), deliveryOf(recent, 1_700_086_600_000)]);
      const { retention } = loadConfig({ RETENTION_RAW_DAYS: '1', RETENTION_CALLS_DAYS: '1' });
      const job = startRetentionJob(store, retention, { logger: pino({ level: 'silent' }), now: () => 1_700_086_400_000 + 86_400_000 });
      assert.ok(job);
      const report = await job.runOnce();
      assert.deepEqual(report?.removed, { calls: 1, call_conflicts: 0, notifies: 0, agent_call_statuses: 0, group_sessions: 0, group_call_events: 0, relay_outbox: 0, raw_requests: 1 });
      assert.equal(await store.getCall(old.sid ?? ''), null);
      assert.ok(await store.getCall(recent.sid ?? ''));
      await job.stop();
    } finally {
      await store.close();
      db.cleanup();
    }
  });

  it('when no limit is set, then there is no job', () => {
    assert.equal(startRetentionJob({} as never, loadConfig({}).retention, { logger: pino({ level: 'silent' }) }), null);
  });
});
