import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

const LOWER = '6364e8b3-bdac-436e-9631-0bce2498ce0c';
const UPPER = LOWER.toUpperCase();
const MIXED = '6364E8B3-bdac-436E-9631-0bce2498CE0C';

/** The sid part of the storage contract: a sid is a UUID, and UUIDs are case-insensitive. */
export function describeSidCaseContract(name: string, open: StoreFactory): void {
  describe(`${name}: sid case contract`, () => {
    it('when the same call arrives with its sid in upper and then lower case, then the second delivery is a duplicate of one call', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ sid: UPPER });
        assert.deepEqual(await store.recordCallbacks([deliveryOf(values, 1_000)]), ['accepted']);
        assert.deepEqual(await store.recordCallbacks([deliveryOf({ ...values, sid: LOWER }, 2_000), deliveryOf({ ...values, sid: MIXED }, 3_000)]), ['duplicate', 'duplicate']);
        const page = await store.listCalls({ filter: { time_field: 'setup_time' }, limit: 10 });
        assert.deepEqual(page.calls.map((c) => c.sid), [LOWER]);
      } finally {
        await cleanup();
      }
    });

    it('when a version with other facts arrives with the sid in another case, then it is a conflict of the same call', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ sid: LOWER });
        const results = await store.recordCallbacks([deliveryOf(values, 1_000), deliveryOf({ ...values, sid: UPPER, duration: '7' }, 2_000)]);
        assert.deepEqual(results, ['accepted', 'conflict']);
        assert.equal((await store.getCall(MIXED))?.conflicts, 1);
        const conflicts = await store.listConflicts(UPPER);
        assert.deepEqual(conflicts.map((c) => [c.received_at, c.event.sid, c.differs]), [[2_000, LOWER, ['duration']]]);
      } finally {
        await cleanup();
      }
    });

    it('when a call was stored from an upper-case sid, then it is found by either case, under its lower-case sid', async () => {
      const { store, cleanup } = await open();
      try {
        await store.recordCallbacks([deliveryOf(validCallbackValues({ sid: UPPER }))]);
        for (const sid of [UPPER, LOWER, MIXED]) assert.equal((await store.getCall(sid))?.sid, LOWER, `getCall(${sid})`);
      } finally {
        await cleanup();
      }
    });

    it('when deliveries of one call carry the sid in different cases, then its deliveries list them all by either case, each with its bytes as received', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ sid: MIXED });
        const deliveries = [deliveryOf(values, 1_000), deliveryOf({ ...values, sid: LOWER }, 2_000), deliveryOf({ ...values, sid: UPPER, duration: '7' }, 3_000)];
        await store.recordCallbacks(deliveries);
        for (const sid of [UPPER, LOWER, MIXED]) {
          const listed = await store.listDeliveries(sid);
          assert.deepEqual(listed.map((d) => [d.received_at, d.result]), [[1_000, 'accepted'], [2_000, 'duplicate'], [3_000, 'conflict']], `listDeliveries(${sid})`);
          // The raw record is what arrived: the sid in its original case.
          assert.deepEqual(listed.map((d) => d.query), deliveries.map((d) => d.raw.query), `listDeliveries(${sid}) queries`);
        }
        const first = (await store.listDeliveries(LOWER))[0];
        assert.ok(first?.query.includes(`sid=${MIXED}`));
      } finally {
        await cleanup();
      }
    });
  });
}
