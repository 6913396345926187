import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { GroupCommitter } from '../../ingest/group-committer.js';
import type { CallbackRecord, RecordResult } from '../port.js';
import { createSqliteStore } from './sqlite-store.js';
import { openSqlite } from './open-sqlite.js';
import { createWalSync, datasyncFile, type FileFlusher, keptOpenFlusher } from './wal-sync.js';
import { withoutFsync } from './without-fsync.js';

/** A flusher the test finishes by hand, one flush at a time. */
function manualDatasync() {
  const calls: Array<{ finish: (error?: Error) => void }> = [];
  let closed = false;
  const datasync: FileFlusher = {
    flush: () => new Promise<void>((resolve, reject) => {
      calls.push({ finish: (error) => (error ? reject(error) : resolve()) });
    }),
    close: async () => {
      closed = true;
    },
  };
  return { calls, datasync, closed: () => closed };
}

/** Whether a promise has settled, after the microtasks queued so far have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('WAL sync off the event loop', () => {
  it('when a sync is asked for, then one flush runs, and closing lets go of the file', async () => {
    const disk = manualDatasync();
    const wal = createWalSync('/data/callevt.db', disk.datasync);
    const synced = wal.sync();
    assert.equal(disk.calls.length, 1);
    disk.calls[0]?.finish();
    await synced;
    assert.equal(wal.syncs, 1);
    await wal.close();
    assert.equal(disk.closed(), true);
  });

  it('when syncs are asked for while one runs, then they share one more that starts after it, never one that began before them', async () => {
    const disk = manualDatasync();
    const wal = createWalSync('x.db', disk.datasync);
    const first = wal.sync();
    const second = wal.sync();
    const third = wal.sync();
    assert.equal(disk.calls.length, 1, 'a second fdatasync started while the first ran');
    disk.calls[0]?.finish();
    await first;
    assert.equal(await settled(second), false, 'a caller was answered by a sync that began before it asked');
    assert.equal(disk.calls.length, 2);
    disk.calls[1]?.finish();
    await Promise.all([second, third]);
    assert.equal(wal.syncs, 2);
  });

  it('when the disk refuses a sync, then its callers are told and the next sync runs afresh', async () => {
    const disk = manualDatasync();
    const wal = createWalSync('x.db', disk.datasync);
    const failing = wal.sync();
    const waiting = wal.sync();
    disk.calls[0]?.finish(new Error('EIO'));
    await assert.rejects(failing, /EIO/);
    // The one queued behind a failed sync still gets a sync of its own.
    disk.calls[1]?.finish();
    await waiting;
    const later = wal.sync();
    disk.calls[2]?.finish();
    await later;
    assert.equal(wal.syncs, 3);
  });

  it('when the database is in memory, then there is nothing to flush', async () => {
    const disk = manualDatasync();
    await createWalSync(':memory:', disk.datasync).sync();
    assert.equal(disk.calls.length, 0);
  });

  it('when the file exists, then it is flushed; when it does not, then there is nothing to do', async () => {
    const db = tempDatabaseFile();
    try {
      writeFileSync(`${db.file}-wal`, 'frames');
      await datasyncFile(`${db.file}-wal`);
      await datasyncFile(`${db.file}-missing`);
      const missing = keptOpenFlusher(`${db.file}-later`);
      await missing.flush(); // nothing yet
      writeFileSync(`${db.file}-later`, 'frames');
      await missing.flush(); // opened now, and kept
      await missing.flush();
      await missing.close();
    } finally {
      db.cleanup();
    }
  });
});

describe('SQLite ingest commits and their sync', () => {
  it('when callbacks are recorded, then they are committed first and answered only after the WAL sync that follows', async () => {
    const db = tempDatabaseFile();
    const disk = manualDatasync();
    const store = createSqliteStore(db.file, { walSync: createWalSync(db.file, disk.datasync) });
    const reader = new Database(db.file, { readonly: true });
    try {
      const recorded = store.recordCallbacks([deliveryOf(validCallbackValues())]);
      await new Promise((r) => setImmediate(r));
      assert.equal(disk.calls.length, 1, 'no sync was asked for after the commit');
      // The commit is in the WAL already (another connection sees it) when the sync starts …
      assert.equal((reader.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n, 1);
      // … and the sender is not answered before the sync has finished.
      assert.equal(await settled(recorded), false, 'answered before the WAL reached the disk');
      disk.calls[0]?.finish();
      assert.deepEqual(await recorded, ['accepted']);
    } finally {
      reader.close();
      await store.close();
      db.cleanup();
    }
  });

  it('when a batch waits for a slow sync, then the next batch is written meanwhile and answered only after a sync that began after it', async () => {
    const db = tempDatabaseFile();
    const disk = manualDatasync();
    const store = createSqliteStore(db.file, { walSync: createWalSync(db.file, disk.datasync) });
    // As build-app.ts commits: the store reports the written moment, the committer pipelines on it.
    const committer = new GroupCommitter<CallbackRecord, RecordResult>((records, committed) => store.recordCallbacks(records, committed));
    const reader = new Database(db.file, { readonly: true });
    const calls = () => (reader.prepare('SELECT COUNT(*) AS n FROM calls').get() as { n: number }).n;
    try {
      const first = committer.submit(deliveryOf(validCallbackValues()));
      await new Promise((r) => setImmediate(r));
      assert.equal(disk.calls.length, 1);
      const second = committer.submit(deliveryOf(validCallbackValues()));
      // Written once the first fsync has run for SLOW_SYNC_MS (after any rest for the first commit's hold: group-committer.ts).
      for (const until = Date.now() + 1000; calls() < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 2));
      assert.equal(calls(), 2, 'the second batch waited for the first one to reach the disk before it was written');
      assert.equal(disk.calls.length, 1, 'a second fdatasync ran beside the first');
      disk.calls[0]?.finish();
      assert.deepEqual(await first, 'accepted');
      assert.equal(await settled(second), false, 'answered by the sync that began before its commit');
      assert.equal(disk.calls.length, 2);
      disk.calls[1]?.finish();
      assert.equal(await second, 'accepted');
    } finally {
      for (const call of disk.calls) call.finish(); // a failed assertion must not leave close() waiting for the disk
      reader.close();
      await store.close();
      db.cleanup();
    }
  });

  it('when the WAL sync fails, then the senders get an error, not an acknowledgement', async () => {
    const db = tempDatabaseFile();
    const disk = manualDatasync();
    const store = createSqliteStore(db.file, { walSync: createWalSync(db.file, disk.datasync) });
    try {
      const recorded = store.recordCallbacks([deliveryOf(validCallbackValues())]);
      await new Promise((r) => setImmediate(r));
      disk.calls[0]?.finish(new Error('EIO: the disk went away'));
      await assert.rejects(recorded, /EIO/);
    } finally {
      await store.close();
      db.cleanup();
    }
  });
});

describe('withoutFsync', () => {
  it('when a write runs, then it runs under synchronous=NORMAL and FULL is restored after it, even when it throws', () => {
    const db = tempDatabaseFile();
    const connection = openSqlite(db.file);
    const level = () => connection.pragma('synchronous', { simple: true });
    try {
      assert.equal(level(), 2);
      assert.equal(withoutFsync(connection, level), 1);
      assert.equal(level(), 2);
      assert.throws(() => withoutFsync(connection, () => {
        throw new Error('write failed');
      }), /write failed/);
      assert.equal(level(), 2);
    } finally {
      connection.close();
      db.cleanup();
    }
  });
});
