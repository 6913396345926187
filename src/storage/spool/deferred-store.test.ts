import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import type { CallStore } from '../port.js';
import { createSqliteStore } from '../sqlite/sqlite-store.js';
import { isDatabaseUnavailable } from '../database-unavailable.js';
import { createDeferredStore } from './deferred-store.js';

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function harness(outcomes: Array<'refused' | 'denied' | 'open'>) {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-deferred-'));
  const logs: Array<{ level: string; msg: string }> = [];
  const log = (level: string) => (_obj: unknown, msg: string) => void logs.push({ level, msg });
  let attempts = 0;
  const open = async (): Promise<CallStore> => {
    const outcome = outcomes[Math.min(attempts, outcomes.length - 1)];
    attempts += 1;
    if (outcome === 'refused') throw refused();
    if (outcome === 'denied') throw Object.assign(new Error('password authentication failed for user "callevt"'), { code: '28P01' });
    return createSqliteStore(join(dir, 'db.sqlite'));
  };
  const store = createDeferredStore(open, {
    dialect: 'postgres', logger: { info: log('info'), warn: log('warn'), error: log('error') } as unknown as Parameters<typeof createDeferredStore>[1]['logger'],
    minBackoffMs: 5, maxBackoffMs: 20,
  });
  return { store, logs, attempts: () => attempts, cleanup: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

describe('the deferred store', () => {
  it('when the database cannot be reached at first, then calls fail as unavailable, and once an attempt opens it they go to it', async () => {
    const h = harness(['refused', 'refused', 'open']);
    try {
      const early = await h.store.recordCallbacks([deliveryOf(validCallbackValues())]).catch((error: unknown) => error);
      assert.ok(isDatabaseUnavailable(early), `not an availability error: ${String(early)}`);
      await assert.rejects(h.store.ping());
      assert.equal(h.store.isOpen, false);
      await h.store.opened;
      assert.equal(h.attempts(), 3);
      assert.equal(h.store.isOpen, true);
      const values = validCallbackValues();
      assert.deepEqual(await h.store.recordCallbacks([deliveryOf(values)]), ['accepted']);
      assert.equal((await h.store.getCall(values.sid ?? ''))?.sid, values.sid);
      assert.ok(h.logs.some((l) => l.level === 'warn' && /still unavailable/.test(l.msg)));
      assert.ok(h.logs.some((l) => l.level === 'info' && /the database is open/.test(l.msg)));
    } finally {
      await h.cleanup();
    }
  });

  it('when the database answers but refuses (a bad password), then it stops trying, says so, and calls keep failing with the reason', async () => {
    const h = harness(['denied', 'open']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.equal(h.attempts(), 1, 'no retry of a refusal that retrying cannot fix');
      await assert.rejects(h.store.getCall('x'), /refused to open: password authentication failed/);
      assert.ok(h.logs.some((l) => l.level === 'error' && /refused to open/.test(l.msg)));
    } finally {
      await h.cleanup();
    }
  });

  it('when reclassification starts before the database is open, then it waits for it, and resolves empty if the store closes first', async () => {
    const h = harness(['refused']);
    const waiting = h.store.reclassifyCalls({ classifierVersion: 1, classify: () => { throw new Error('no call to classify'); } });
    let settled = false;
    void waiting.then(() => { settled = true; });
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(settled, false, 'it waits for the database');
    await h.cleanup();
    assert.deepEqual(await waiting, { reclassified: 0, changed: 0 });
  });
});
