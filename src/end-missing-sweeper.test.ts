import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyedDeliveryOf } from '../test/contract/call-life-contract.js';
import { validNotifyValues } from '../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../test/fixtures/test-app.js';
import { startEndMissingSweeper } from './end-missing-sweeper.js';
import { createSqliteStore } from './storage/sqlite/sqlite-store.js';

const HOUR_MS = 3_600_000;
const quiet = { warn: () => {} };

describe('the end_missing sweeper', () => {
  it('when notifies pass their deadline, then the sweeper flags them on its own, with nothing scraping /metrics', async () => {
    const db = tempDatabaseFile();
    const store = createSqliteStore(db.file);
    const t0 = Date.now() - 3 * HOUR_MS;
    await store.recordCallbacks([keyedDeliveryOf('notify', validNotifyValues(), t0), keyedDeliveryOf('notify', validNotifyValues(), t0 + 1)]);
    const sweeper = startEndMissingSweeper(store, () => ({ now: Date.now(), deadlineMs: 2 * HOUR_MS }), { logger: quiet, intervalMs: 20 });
    try {
      for (const started = Date.now(); sweeper.flaggedTotal < 2 && Date.now() - started < 5_000;) await new Promise((r) => setTimeout(r, 10));
      assert.equal(sweeper.flaggedTotal, 2);
      // Flagged once: later sweeps find nothing new.
      assert.equal(await sweeper.sweep(), 0);
      assert.equal(sweeper.flaggedTotal, 2);
    } finally {
      await sweeper.stop();
      await store.close();
      db.cleanup();
    }
  });

  it('when sweeps are asked for while one runs, then they join it: never two at once', async () => {
    let calls = 0;
    let finish: (n: number) => void = () => {};
    const store = {
      flagEndMissing: () => new Promise<number>((resolve) => {
        calls += 1;
        finish = resolve;
      }),
    };
    const sweeper = startEndMissingSweeper(store, () => ({ now: 0, deadlineMs: 1 }), { logger: quiet, intervalMs: 60_000 });
    const first = sweeper.sweep();
    const second = sweeper.sweep();
    assert.equal(calls, 1);
    finish(3);
    assert.deepEqual(await Promise.all([first, second]), [3, 3]);
    assert.equal(sweeper.flaggedTotal, 3);
    await sweeper.stop();
  });

  it('when a sweep fails, then it is logged, counts nothing, and the next one runs afresh', async () => {
    const warnings: string[] = [];
    let fail = true;
    const store = { flagEndMissing: async () => {
      if (fail) throw new Error('database is locked');
      return 1;
    } };
    const sweeper = startEndMissingSweeper(store, () => ({ now: 0, deadlineMs: 1 }), { logger: { warn: (_d, m) => warnings.push(m) }, intervalMs: 60_000 });
    assert.equal(await sweeper.sweep(), 0);
    assert.equal(warnings.length, 1);
    fail = false;
    assert.equal(await sweeper.sweep(), 1);
    assert.equal(sweeper.flaggedTotal, 1);
    await sweeper.stop();
  });
});
