import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../test/fixtures/test-app.js';
import { createSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { MAX_REPLAY_LISTED, REPLAY_CHUNK_ENTRIES, replayQuarantine } from './replay-quarantine.js';

describe('replayQuarantine', () => {
  it('when more entries are read again than an answer lists, then all are counted and the first are listed in id order', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    try {
      const total = MAX_REPLAY_LISTED + 3;
      assert.ok(total > 2 * REPLAY_CHUNK_ENTRIES); // several chunks
      await store.recordCallbacks(Array.from({ length: total }, () => deliveryOf(validCallbackValues({ duration: 'ten' }))));
      const summary = await replayQuarantine(store, {}, { dryRun: false });
      assert.equal(summary.counts.quarantined, total);
      assert.equal(summary.entries.length, MAX_REPLAY_LISTED);
      assert.equal(summary.unlisted, 3);
      assert.deepEqual(summary.entries.slice(0, 3).map((e) => e.quarantine_id), [1, 2, 3]);
      assert.equal((await store.derivedRows().quarantineAfter(0, 2 * total)).length, total); // all stay
    } finally {
      await store.close();
      db.cleanup();
    }
  });
});
