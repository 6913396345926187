import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallbackRecord, CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { toDollarParams } from '../../src/storage/sql/rollup-refresh.js';
import { contentHashOf } from '../../src/domain/content-hash.js';
import { canonicalizeEvent } from '../../src/domain/canonical-event.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';
import { deliveryOf } from './ingest-contract.js';

/** One database the scenario opens twice, and writes to directly in between (`?` placeholders). */
interface UpgradeTarget {
  openStore(): Promise<CallStore>;
  exec(text: string, params: unknown[]): Promise<void>;
}

const sid = (n: number) => `0000000${n}-abcd-4abc-8abc-abcdefabcdef`;
const T = 1_767_225_600;

/**
 * Turns the rows of sid `from` into rows written before sids were stored in lower case,
 * as sid `to` (any case): calls, raw requests and conflicting versions, hashes over `to`.
 */
async function makeOld(target: UpgradeTarget, record: CallbackRecord, to: string, conflicts: CallbackRecord[] = []): Promise<void> {
  if (record.kind !== 'event') throw new Error('not an event');
  const from = record.event.sid;
  await target.exec('UPDATE calls SET sid = ?, content_hash = ? WHERE sid = ?', [to, contentHashOf({ ...record.event, sid: to }), from]);
  for (const conflict of conflicts) {
    if (conflict.kind !== 'event') throw new Error('not an event');
    const old = { ...conflict.event, sid: to };
    await target.exec('UPDATE call_conflicts SET sid = ?, content_hash = ?, event = ? WHERE content_hash = ?', [to, contentHashOf(old), canonicalizeEvent(old), conflict.contentHash]);
  }
  await target.exec('UPDATE raw_requests SET sid = ?, query = replace(query, ?, ?) WHERE sid = ?', [to, from, to, from]);
}

/** Written before the fix: a call under an upper-case sid, and two sids stored twice in different cases. */
async function upgradeScenario(target: UpgradeTarget): Promise<void> {
  const call = (n: number, overrides: Record<string, string> = {}) =>
    deliveryOf(validCallbackValues({ sid: sid(n), setup_time: String(T + n * 3600), start_time: String(T + n * 3600 + 5), end_time: String(T + n * 3600 + 125), ...overrides }), 1_000 * n);
  const upperOnly = call(1);
  const upperConflict = call(1, { duration: '9', billing_sec: '9' });
  // Sid 2 twice: first as SID 2 (120 s), then as sid 2 with other facts (stored under sid 3 here, then renamed).
  const twinFirst = call(2);
  const twinLater = deliveryOf(validCallbackValues({ sid: sid(3), setup_time: String(T + 2 * 3600), start_time: String(T + 2 * 3600 + 5), end_time: String(T + 2 * 3600 + 12), duration: '7', billing_sec: '7' }), 5_000);
  // Sid 4 twice with the same facts: the lower-case one arrived first.
  const sameFirst = call(4);
  const sameLater = deliveryOf(validCallbackValues({ ...Object.fromEntries(new URLSearchParams(sameFirst.raw.query)), sid: sid(5) }), 6_000);
  const before = await target.openStore();
  assert.deepEqual(await before.recordCallbacks([upperOnly, upperConflict, twinFirst, twinLater, sameFirst, sameLater]), ['accepted', 'conflict', 'accepted', 'accepted', 'accepted', 'accepted']);
  await before.close();
  await makeOld(target, upperOnly, sid(1).toUpperCase(), [upperConflict]);
  await makeOld(target, twinFirst, sid(2).toUpperCase());
  await makeOld(target, twinLater, sid(2));
  await makeOld(target, sameLater, sid(4).toUpperCase());
  await target.exec('DELETE FROM schema_migrations WHERE version = 7', []);

  const store = await target.openStore();
  try {
    const page = await store.listCalls({ filter: { time_field: 'setup_time' }, limit: 10 });
    assert.deepEqual(page.calls.map((c) => c.sid).sort(), [sid(1), sid(2), sid(4)]);
    const twin = await store.getCall(sid(2).toUpperCase());
    assert.equal(twin?.duration, 120, 'the first received stays the call');
    assert.equal(twin?.conflicts, 1);
    assert.deepEqual((await store.listConflicts(sid(2))).map((c) => [c.received_at, c.event.duration]), [[5_000, 7]]);
    assert.deepEqual((await store.listDeliveries(sid(2))).map((d) => [d.received_at, d.result]), [[2_000, 'accepted'], [5_000, 'conflict']]);
    assert.deepEqual((await store.listDeliveries(sid(4))).map((d) => [d.received_at, d.result]), [[4_000, 'accepted'], [6_000, 'duplicate']]);
    assert.equal((await store.getCall(sid(4)))?.conflicts, 0);
    // The raw requests keep the bytes as received.
    assert.ok((await store.listDeliveries(sid(1)))[0]?.query.includes(`sid=${sid(1).toUpperCase()}`));
    // Hashes follow the lower-case sid: a redelivery in any case is a duplicate.
    assert.deepEqual((await store.listConflicts(sid(1))).map((c) => [c.event.sid, c.event.duration]), [[sid(1), 9]]);
    assert.equal((await store.getCall(sid(1)))?.conflicts, 1);
    assert.deepEqual(await store.recordCallbacks([call(1), call(1, { duration: '9', billing_sec: '9' }), deliveryOf({ ...Object.fromEntries(new URLSearchParams(twinFirst.raw.query)), sid: sid(2).toUpperCase() })]), ['duplicate', 'duplicate', 'duplicate']);
    // The merged-away calls left the rollups.
    const fast = await store.statsSummary({ filter: { time_field: 'setup_time' } });
    const exact = await store.statsSummary({ filter: { time_field: 'setup_time' }, exact: true });
    assert.equal(fast.source, 'rollups');
    assert.equal(fast.summary.attempts, 3);
    assert.equal(exact.summary.attempts, 3);
    assert.equal(fast.summary.total_duration_sec, 360);
  } finally {
    await store.close();
  }
}

describe('migration 7 (sids in lower case) on a SQLite database written before it', () => {
  it('when sids were stored in upper case and in both cases, then each sid is one call, the first received, and the others are its duplicates or conflicts', async () => {
    const temp = tempDatabaseFile();
    try {
      await upgradeScenario({
        openStore: async () => createSqliteStore(temp.file),
        exec: async (text, params) => {
          const db = openSqlite(temp.file);
          try {
            db.prepare(text).run(...params);
          } finally {
            db.close();
          }
        },
      });
    } finally {
      temp.cleanup();
    }
  });
});

describePostgres('migration 7 (sids in lower case) on a PostgreSQL database written before it', (url) => {
  it('when sids were stored in upper case and in both cases, then each sid is one call, the first received, and the others are its duplicates or conflicts', async () => {
    const schema = await createTestSchema(url);
    try {
      await upgradeScenario({
        openStore: () => createPostgresStore(schema.url),
        exec: (text, params) =>
          withClient(url, async (client) => {
            await client.query(`SET search_path TO ${schema.schema}`);
            await client.query(toDollarParams(text), params);
          }),
      });
    } finally {
      await schema.drop();
    }
  });
});
