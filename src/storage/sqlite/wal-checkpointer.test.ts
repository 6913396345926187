import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { countRows } from '../../../test/fixtures/raw-requests.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createSqliteStore } from './sqlite-store.js';
import { WRITER_CHECKPOINT_PAGES } from './wal-checkpointer.js';

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
      // Below the writer's backstop (64 MiB of WAL), only the background thread grows the main file.
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

  it('when batches are committed back to back, then the WAL file stays bounded instead of growing with every commit', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    try {
      const frameBytes = 4096 + 24;
      const bound = (WRITER_CHECKPOINT_PAGES + 1000) * frameBytes; // the backstop plus a batch's pages, with room
      let largest = 0;
      let committed = 0;
      // No pause between commits: the background thread alone never catches up, so this
      // is the writer's backstop at work. Written in all: at least three times the bound.
      while (committed < 3 * bound) {
        const batch = bigBatch(100);
        await store.recordCallbacks(batch);
        committed += batch.length * 8_000;
        largest = Math.max(largest, statSync(`${db.file}-wal`).size);
      }
      assert.ok(largest > 0, 'nothing went through the WAL');
      assert.ok(largest <= bound, `the WAL reached ${largest} bytes (bound ${bound})`);
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
