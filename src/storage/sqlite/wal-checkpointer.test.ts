import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { countRows } from '../../../test/fixtures/raw-requests.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createSqliteStore } from './sqlite-store.js';

/** A safety bound while waiting for the background thread (not an assertion on speed). */
const WAIT_LIMIT_MS = 15_000;

function bigBatch(size: number) {
  return Array.from({ length: size }, () => deliveryOf(validCallbackValues({ app_svr_data: 'd'.repeat(4000) })));
}

describe('background WAL checkpoints', () => {
  it('when callbacks are committed, then a background thread copies the WAL into the database file', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    try {
      const before = statSync(db.file).size;
      for (let i = 0; i < 10; i += 1) await store.recordCallbacks(bigBatch(100)); // ≈ 8 MB of WAL
      // SQLite's own checkpoint is off on the writer: only the background thread can grow the main file.
      let grown = false;
      for (const started = Date.now(); !grown && Date.now() - started < WAIT_LIMIT_MS; await sleep(50)) {
        grown = statSync(db.file).size > before + 4_000_000;
      }
      assert.ok(grown, 'the database file never received the WAL pages');
    } finally {
      await store.close();
      db.cleanup();
    }
  });

  it('when the store is closed, then the WAL is checkpointed and removed and every call is in the file', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    try {
      await store.recordCallbacks(bigBatch(300));
      await store.close();
      assert.equal(existsSync(`${db.file}-wal`), false);
      assert.equal(countRows(db.file, 'calls'), 300);
    } finally {
      await store.close();
      db.cleanup();
    }
  });
});
