import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { countRows } from '../../../test/fixtures/raw-requests.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createSqliteStore } from './sqlite-store.js';
import type { CheckpointPass, WalCheckpointOptions } from './wal-checkpointer.js';
import { createWalSync, type WalSync } from './wal-sync.js';

/** A small hand-off point (pages), so that the tests write megabytes, not hundreds. */
const RESTART_PAGES = 1_024;
/** Small, frequent passes and no writer backstop: only the hand-off can bound the WAL. */
const HAND_OFF_ONLY: WalCheckpointOptions = { restartPages: RESTART_PAGES, writerCheckpointPages: 0, intervalMs: 20 };

/** A safety bound while waiting for the background thread (not an assertion on speed). */
const WAIT_LIMIT_MS = 15_000;

/** The clock the checkpoint thread stamps its passes with. */
const clock = () => performance.timeOrigin + performance.now();

/** How long the test's WAL sync takes beyond the real fdatasync, ms: room for the thread to catch up within it. */
const SLOW_SYNC_MS = 60;

/**
 * How long before the sync was called a catch-up may begin, ms: it is asked for between the
 * commit and the sync, on a loaded machine a fraction of a millisecond apart. A catch-up asked
 * for by the next commit instead begins before that commit's write (several ms of big rows).
 */
const ASKED_BEFORE_SYNC_MS = 2;

/** The store's real WAL sync, made SLOW_SYNC_MS slower, with each sync's start and end. */
function slowWalSync(file: string): WalSync & { spans: Array<{ from: number; to: number }> } {
  const real = createWalSync(file);
  const spans: Array<{ from: number; to: number }> = [];
  return {
    spans,
    async sync() {
      const from = clock();
      await real.sync();
      await sleep(SLOW_SYNC_MS);
      spans.push({ from, to: clock() });
    },
    get syncs() {
      return real.syncs;
    },
    close: () => real.close(),
  };
}

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

  it('when batches are committed back to back, then hand-offs to the thread keep the WAL file bounded', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file, { walCheckpoints: HAND_OFF_ONLY });
    try {
      const frameBytes = 4096 + 24;
      // The hand-off point plus what commits add between two passes of the thread, with room
      // for a loaded machine. Without hand-offs (and no writer backstop) the WAL would hold
      // everything written: three times this.
      const bound = 4 * RESTART_PAGES * frameBytes;
      let largest = 0;
      let committed = 0;
      // No pause between commits: the background thread alone never catches up.
      // Written in all: at least three times the bound.
      while (committed < 3 * bound) {
        const batch = bigBatch(100);
        await store.recordCallbacks(batch);
        await new Promise((resolve) => setImmediate(resolve)); // as the group committer does between batches
        committed += batch.length * 8_000;
        largest = Math.max(largest, statSync(`${db.file}-wal`).size);
      }
      assert.ok(largest > (RESTART_PAGES * frameBytes) / 2, `the WAL reached only ${largest} bytes: the test wrote too little`);
      assert.ok(largest <= bound, `the WAL reached ${largest} bytes (bound ${bound})`);
    } finally {
      await store.close();
      db.cleanup();
    }
  });

  it('when the WAL passes the hand-off point, then the thread catches up while the last commit is being fsynced', async () => {
    const db = tempDatabaseFile();
    const catchUps: CheckpointPass[] = [];
    const walSync = slowWalSync(db.file);
    // Passes every second: with slow syncs, more frequent ones would copy everything between two commits,
    // and the WAL would start over by itself, never reaching the hand-off point.
    const store = createSqliteStore(db.file, {
      walSync, walCheckpoints: { ...HAND_OFF_ONLY, intervalMs: 1_000, onPass: (pass) => pass.kind === 'caught-up' && catchUps.push(pass) },
    });
    try {
      for (const started = Date.now(); catchUps.length < 2 && Date.now() - started < WAIT_LIMIT_MS; ) {
        await store.recordCallbacks(bigBatch(100)); // commits one after another, as the group committer makes them
      }
      assert.ok(catchUps.length >= 2, `only ${catchUps.length} catch-ups in ${WAIT_LIMIT_MS} ms`);
      // Asked for right after a commit, just before its sync: each catch-up began while that sync ran
      // (or within ASKED_BEFORE_SYNC_MS before it was called), not before the next commit's write.
      for (const pass of catchUps) {
        const during = walSync.spans.some((span) => span.from - ASKED_BEFORE_SYNC_MS <= pass.startedAt && pass.startedAt <= span.to);
        const near = walSync.spans.filter((span) => Math.abs(span.from - pass.startedAt) < 500).map((span) => `${(span.from - pass.startedAt).toFixed(1)}..${(span.to - pass.startedAt).toFixed(1)}`);
        assert.ok(during, `a catch-up began outside every WAL sync (syncs around it, ms from its start: ${near.join(', ')})`);
      }
    } finally {
      await store.close();
      db.cleanup();
    }
  });

  it('when a commit waits for the thread to catch up, then the event loop keeps running meanwhile', async () => {
    const db = tempDatabaseFile();
    // Passes every second: the WAL only reaches the hand-off point if that many pages are written
    // between two passes, which a loaded machine may not do in HAND_OFF_ONLY's 20 ms.
    const store = createSqliteStore(db.file, { walCheckpoints: { ...HAND_OFF_ONLY, intervalMs: 1_000 } });
    try {
      let ticks = 0;
      let handOffsWithTicks = 0;
      const ticker = setInterval(() => {
        ticks += 1;
      }, 1);
      try {
        // Until a few commits have waited for the thread (bounded in time, not asserted on). A second
        // of commits between two passes leaves the catch-up more to copy than one fsync lasts.
        for (const started = Date.now(); store.walHeldCommits < 2 && Date.now() - started < WAIT_LIMIT_MS; ) {
          const [ticksBefore, heldBefore] = [ticks, store.walHeldCommits];
          await store.recordCallbacks(bigBatch(100));
          if (store.walHeldCommits > heldBefore && ticks > ticksBefore) handOffsWithTicks += 1;
          await new Promise((resolve) => setImmediate(resolve)); // as the group committer does between batches
        }
      } finally {
        clearInterval(ticker);
      }
      assert.ok(store.walHeldCommits > 0, 'no commit ever waited for the thread');
      assert.ok(handOffsWithTicks > 0, 'timers never ran while a commit waited for the thread');
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
