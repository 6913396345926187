import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createWalSync, type FlushFile } from './wal-sync.js';

/** A flush that records each call and finishes only when the test says so. */
function manualFlush() {
  const calls: Array<{ fd: number; finish: (error?: Error) => void }> = [];
  const flush: FlushFile = (fd) =>
    new Promise((resolve, reject) => calls.push({ fd, finish: (error) => (error ? reject(error) : resolve()) }));
  return { flush, calls };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createWalSync', () => {
  it('when sync is called with no flush running, then it starts one flush and resolves when it ends', async () => {
    const { file, cleanup } = tempDatabaseFile();
    try {
      writeFileSync(`${file}-wal`, 'frames');
      const { flush, calls } = manualFlush();
      const wal = createWalSync(`${file}-wal`, flush);
      let done = false;
      const synced = wal.sync().then(() => (done = true));
      await tick();
      assert.equal(calls.length, 1);
      assert.equal(done, false, 'resolved before the flush ended');
      calls[0]?.finish();
      await synced;
      assert.equal(done, true);
      await wal.close();
    } finally {
      cleanup();
    }
  });

  it('when syncs arrive while a flush runs, then they wait for one later flush, not the running one', async () => {
    const { file, cleanup } = tempDatabaseFile();
    try {
      writeFileSync(`${file}-wal`, 'frames');
      const { flush, calls } = manualFlush();
      const wal = createWalSync(`${file}-wal`, flush);
      const order: string[] = [];
      const first = wal.sync().then(() => order.push('first'));
      await tick();
      // Written after the running flush began: that flush may not cover them.
      const second = wal.sync().then(() => order.push('second'));
      const third = wal.sync().then(() => order.push('third'));
      calls[0]?.finish();
      await first;
      await tick();
      assert.deepEqual(order, ['first'], 'a later caller was released by the flush that started before it');
      assert.equal(calls.length, 2, 'the two later callers share one flush');
      calls[1]?.finish();
      await Promise.all([second, third]);
      assert.deepEqual(order, ['first', 'second', 'third']);
      await wal.close();
    } finally {
      cleanup();
    }
  });

  it('when a flush fails, then its callers and every later sync fail', async () => {
    const { file, cleanup } = tempDatabaseFile();
    try {
      writeFileSync(`${file}-wal`, 'frames');
      const { flush, calls } = manualFlush();
      const wal = createWalSync(`${file}-wal`, flush);
      const first = wal.sync();
      await tick();
      calls[0]?.finish(new Error('EIO'));
      await assert.rejects(first, /EIO/);
      await assert.rejects(wal.sync(), /EIO/);
      assert.equal(calls.length, 1, 'no flush is attempted after a failure');
      await wal.close();
    } finally {
      cleanup();
    }
  });

  it('when the WAL file was replaced since it was opened, then sync refuses instead of flushing the old file', async () => {
    const { file, cleanup } = tempDatabaseFile();
    try {
      writeFileSync(`${file}-wal`, 'frames');
      const { flush, calls } = manualFlush();
      const wal = createWalSync(`${file}-wal`, flush);
      const first = wal.sync();
      await tick();
      calls[0]?.finish();
      await first;
      writeFileSync(`${file}-new`, readFileSync(`${file}-wal`));
      renameSync(`${file}-new`, `${file}-wal`);
      await assert.rejects(wal.sync(), /replaced/);
      assert.equal(calls.length, 1);
      await wal.close();
    } finally {
      cleanup();
    }
  });

  it('when the default flush runs on a real file, then sync resolves', async () => {
    const { file, cleanup } = tempDatabaseFile();
    try {
      writeFileSync(`${file}-wal`, 'frames');
      const wal = createWalSync(`${file}-wal`);
      await Promise.all([wal.sync(), wal.sync(), wal.sync()]);
      await wal.close();
      await assert.rejects(wal.sync(), /closed/);
    } finally {
      cleanup();
    }
  });
});
