import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { validCallbackQuery } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { loadConfig } from '../../config/load-config.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';
import type { FlushFile } from '../../storage/sqlite/wal-sync.js';
import { buildApp } from '../build-app.js';

/** An app whose WAL flushes wait for the test: each held flush can be ended or failed. */
async function appWithHeldFlushes() {
  const db = tempDatabaseFile();
  const held: Array<{ finish: (error?: Error) => void }> = [];
  const flushWal: FlushFile = () => new Promise((resolve, reject) => held.push({ finish: (e) => (e ? reject(e) : resolve()) }));
  const store = createSqliteStore(db.file, { flushWal });
  const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store });
  return {
    app, held, file: db.file,
    async cleanup() {
      for (const h of held) h.finish();
      await app.close();
      await store.close();
      db.cleanup();
    },
  };
}

const settledSoon = async (p: Promise<unknown>): Promise<boolean> => {
  let settled = false;
  void p.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
};

describe('callbacks and the WAL flush', () => {
  it('when the WAL flush has not finished, then no answer is sent; once it has, the answer is 200', async () => {
    const t = await appWithHeldFlushes();
    try {
      const answer = t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      assert.equal(await settledSoon(answer), false, 'answered before the WAL reached the disk');
      assert.equal(t.held.length, 1);
      t.held[0]?.finish();
      const res = await answer;
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().result, 'accepted');
    } finally {
      await t.cleanup();
    }
  });

  it('when deliveries arrive while a flush runs, then a second batch commits meanwhile and waits for a flush of its own', async () => {
    const t = await appWithHeldFlushes();
    try {
      const first = t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      await settledSoon(first);
      const second = t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      await settledSoon(second);
      // The second batch is already written (committed, not yet flushed).
      const reader = new Database(t.file, { readonly: true });
      try {
        assert.equal((reader.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n, 2);
      } finally {
        reader.close();
      }
      t.held[0]?.finish();
      assert.equal((await first).statusCode, 200);
      assert.equal(await settledSoon(second), false, 'the second batch was answered by the flush that began before it was written');
      assert.equal(t.held.length, 2);
      t.held[1]?.finish();
      assert.equal((await second).statusCode, 200);
    } finally {
      await t.cleanup();
    }
  });

  it('when the WAL flush fails, then the delivery is answered 503 and so is every later one', async () => {
    const t = await appWithHeldFlushes();
    try {
      const answer = t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      await settledSoon(answer);
      t.held[0]?.finish(new Error('EIO: i/o error'));
      const res = await answer;
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, 'storage_unavailable');
      const later = await t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      assert.equal(later.statusCode, 503);
      assert.equal(t.held.length, 1, 'a flush was attempted after one failed');
    } finally {
      await t.cleanup();
    }
  });
});
