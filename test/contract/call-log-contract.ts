import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallFilter } from '../../src/domain/call-filter.js';
import { CLASSIFIER_VERSION } from '../../src/domain/classify/release-codes.js';
import { reclassifyOutdatedCalls } from '../../src/domain/classify/reclassify-outdated.js';
import type { CallbackRecord, CallPosition, CallStore, StoredCall } from '../../src/storage/port.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

const ALL: CallFilter = { time_field: 'setup_time' };

/** Stores calls with the given setup times (one batch) and returns their sids in input order. */
async function storeCalls(store: CallStore, setupTimes: number[], overrides: Record<string, string> = {}): Promise<string[]> {
  const values = setupTimes.map((t) =>
    validCallbackValues({ setup_time: String(t), start_time: String(t + 5), end_time: String(t + 125), ...overrides }),
  );
  const results = await store.recordCallbacks(values.map((v) => deliveryOf(v)));
  assert.ok(results.every((r) => r === 'accepted'));
  return values.map((v) => v.sid ?? '');
}

async function readAllPages(store: CallStore, filter: CallFilter, limit: number, between?: (page: number) => Promise<void>) {
  const seen: StoredCall[] = [];
  let after: CallPosition | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await store.listCalls(after === undefined ? { filter, limit } : { filter, limit, after });
    seen.push(...result.calls);
    if (result.next === null) return seen;
    after = result.next;
    await between?.(page);
  }
  throw new Error('pagination did not end');
}

/** The call log part of the storage contract: listing, exporting and reclassifying. */
export function describeCallLogContract(name: string, open: StoreFactory): void {
  describe(`${name}: call log contract`, () => {
    it('when calls are listed, then they come newest first, ties by newest id, and the last page has no next position', async () => {
      const { store, cleanup } = await open();
      try {
        const sids = await storeCalls(store, [100, 300, 200, 300]);
        const page = await store.listCalls({ filter: ALL, limit: 10 });
        assert.deepEqual(page.calls.map((c) => c.sid), [sids[3], sids[1], sids[2], sids[0]]);
        assert.equal(page.next, null);
      } finally {
        await cleanup();
      }
    });

    it('when a filter is given, then only matching calls are listed', async () => {
      const { store, cleanup } = await open();
      try {
        await storeCalls(store, [100, 200]);
        const [carol] = await storeCalls(store, [150], { from_user_id: 'carol' });
        const page = await store.listCalls({ filter: { ...ALL, user: 'carol' }, limit: 10 });
        assert.deepEqual(page.calls.map((c) => c.sid), [carol]);
      } finally {
        await cleanup();
      }
    });

    it('when user is combined with caller/callee filters, self-calls and paging, then exactly the matching calls come once each', async () => {
      const { store, cleanup } = await open();
      try {
        const parties: Array<[string, string]> = [['u', 'a'], ['a', 'u'], ['u', 'u'], ['b', 'c'], ['u', 'b'], ['b', 'u'], ['a', 'b']];
        const sids: string[] = [];
        for (const [i, [from, to]] of parties.entries()) {
          sids.push(...(await storeCalls(store, [10_000 + i], { from_user_id: from, to_user_id: to })));
        }
        const expect = (pred: (from: string, to: string) => boolean) =>
          parties.map((p, i) => [p, sids[i] ?? ''] as const).filter(([[f, t]]) => pred(f, t)).map(([, sid]) => sid).reverse();
        const cases: Array<[CallFilter, (f: string, t: string) => boolean]> = [
          [{ ...ALL, user: 'u' }, (f, t) => f === 'u' || t === 'u'],
          [{ ...ALL, user: 'u', from_user_id: 'b' }, (f, t) => f === 'b' && t === 'u'],
          [{ ...ALL, user: 'u', to_user_id: 'a' }, (f, t) => f === 'u' && t === 'a'],
          [{ ...ALL, user: 'u', from_user_id: 'u' }, (f) => f === 'u'],
          [{ ...ALL, user: 'u', to_user_id: 'u' }, (_f, t) => t === 'u'],
          [{ ...ALL, user: 'u', from_user_id: 'a', to_user_id: 'b' }, () => false],
          [{ ...ALL, user: 'u', from: 10_002, to: 10_005 }, (f, t) => f === 'u' || t === 'u'],
        ];
        for (const [filter, pred] of cases) {
          const wanted = expect(pred).filter((sid) => {
            const i = sids.indexOf(sid);
            return (filter.from === undefined || 10_000 + i >= filter.from) && (filter.to === undefined || 10_000 + i < filter.to);
          });
          const seen = await readAllPages(store, filter, 2);
          assert.deepEqual(seen.map((c) => c.sid), wanted, JSON.stringify(filter));
        }
      } finally {
        await cleanup();
      }
    });

    it('when calls arrive between pages, then every call stored before the first page is seen exactly once', async () => {
      const { store, cleanup } = await open();
      try {
        const before = await storeCalls(store, Array.from({ length: 25 }, (_, i) => 1_000 + (i % 7)));
        const seen = await readAllPages(store, ALL, 4, async (page) => {
          // Newer calls, calls at the very time of the page boundary, and older calls arrive meanwhile.
          await storeCalls(store, [5_000 + page, 1_003, 999 - page]);
        });
        const sids = seen.map((c) => c.sid);
        assert.equal(new Set(sids).size, sids.length, 'no call is listed twice');
        for (const sid of before) assert.ok(sids.includes(sid), `call ${sid} stored before the first page is listed`);
        for (let i = 1; i < seen.length; i++) assert.ok((seen[i - 1]?.setup_time ?? 0) >= (seen[i]?.setup_time ?? 0), 'newest first');
      } finally {
        await cleanup();
      }
    });

    it('when paging on end_time, then calls are ordered by end_time', async () => {
      const { store, cleanup } = await open();
      try {
        const [a] = await storeCalls(store, [100], { end_time: '900', start_time: '0', duration: '0', billing_sec: '0' });
        const [b] = await storeCalls(store, [200], { end_time: '300' });
        const seen = await readAllPages(store, { time_field: 'end_time' }, 1);
        assert.deepEqual(seen.map((c) => c.sid), [a, b]);
      } finally {
        await cleanup();
      }
    });

    it('when calls are streamed, then every matching call comes once, newest first', async () => {
      const { store, cleanup } = await open();
      try {
        const sids = await storeCalls(store, Array.from({ length: 30 }, (_, i) => 2_000 + i));
        const streamed: string[] = [];
        for await (const call of store.streamCalls({ ...ALL, from: 2_010 })) streamed.push(call.sid);
        assert.deepEqual(streamed, sids.slice(10).reverse());
      } finally {
        await cleanup();
      }
    });

    it('when calls were stored by an older classifier version, then reclassification gives them the current outcome', async () => {
      const { store, cleanup } = await open();
      try {
        const outdated = (values: Record<string, string>): CallbackRecord => {
          const record = deliveryOf(values);
          assert.equal(record.kind, 'event');
          return record.kind === 'event'
            ? { ...record, classification: { outcome: 'failed', ended_by: 'unknown', reason: 'stale', reason_source: 'terminate', classifier_version: CLASSIFIER_VERSION - 1 } }
            : record;
        };
        const stale = [validCallbackValues(), validCallbackValues({ start_time: '0', duration: '0', billing_sec: '0', terminate: '17', disconnect_reason: '1202', releaser_type: '1' })];
        const current = validCallbackValues();
        await store.recordCallbacks([...stale.map(outdated), deliveryOf(current)]);
        const progress: number[] = [];
        const result = await reclassifyOutdatedCalls(store, { batchSize: 1, onProgress: (n) => progress.push(n) });
        assert.deepEqual(result, { reclassified: 2, changed: 2 });
        assert.deepEqual(progress, [1, 2]);
        const [completed, busy] = await Promise.all(stale.map((v) => store.getCall(v.sid ?? '')));
        assert.deepEqual([completed?.outcome, completed?.ended_by, completed?.reason, completed?.classifier_version], ['completed', 'caller', 'NORMAL', CLASSIFIER_VERSION]);
        assert.deepEqual([busy?.outcome, busy?.ended_by, busy?.reason_source], ['busy', 'callee', 'disconnect_reason']);
        const page = await store.listCalls({ filter: { ...ALL, outcome: ['busy'] }, limit: 10 });
        assert.deepEqual(page.calls.map((c) => c.sid), [stale[1]?.sid]);
        assert.deepEqual(await reclassifyOutdatedCalls(store), { reclassified: 0, changed: 0 }, 'a second run finds nothing to do');
      } finally {
        await cleanup();
      }
    });

    it('when the seed example was stored as completed by classifier v2, then reclassification makes it rejected and the rollups count it so', async () => {
      const { store, cleanup } = await open();
      try {
        const seedLike = validCallbackValues({
          setup_time: '1582527420', start_time: '0', end_time: '1582527434', duration: '0', billing_sec: undefined, terminate: '16',
          disconnect_reason: undefined, releaser_type: undefined, call_end_reason: '1005', releaser: 'responder',
        });
        const record = deliveryOf(seedLike);
        assert.equal(record.kind, 'event');
        if (record.kind !== 'event') return;
        const v2 = { outcome: 'completed', ended_by: 'callee', reason: 'CALLEE_END', reason_source: 'call_end_reason', classifier_version: 2 } as const;
        await store.recordCallbacks([{ ...record, classification: v2 }]);
        const filter: CallFilter = { time_field: 'setup_time', from: 1582524000, to: 1582531200 };
        assert.equal((await store.statsSummary({ filter })).summary.completed, 1, 'stored as v2 classified it');
        assert.deepEqual(await reclassifyOutdatedCalls(store), { reclassified: 1, changed: 1 });
        const call = await store.getCall(seedLike.sid ?? '');
        assert.deepEqual([call?.outcome, call?.ended_by, call?.reason, call?.classifier_version], ['rejected', 'callee', 'CALLEE_END', CLASSIFIER_VERSION]);
        const fast = await store.statsSummary({ filter });
        const exact = await store.statsSummary({ filter, exact: true });
        assert.equal(fast.source, 'rollups');
        for (const answer of [fast, exact]) {
          assert.deepEqual([answer.summary.attempts, answer.summary.completed, answer.summary.rejected, answer.summary.answered], [1, 0, 1, 0]);
        }
      } finally {
        await cleanup();
      }
    });
  });
}
