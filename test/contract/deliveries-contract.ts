import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

/** The deliveries part of the storage contract: a call's raw requests and conflicting versions. */
export function describeDeliveriesContract(name: string, open: StoreFactory): void {
  describe(`${name}: deliveries contract`, () => {
    it('when a call arrives, is repeated and then changes, then its deliveries list all three raw requests oldest first', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ odd_key: 'kept' });
        const changed = { ...values, duration: '7', billing_sec: '7' };
        // Two batches; the later batch carries an earlier-received duplicate, so order is by time, not by id.
        assert.deepEqual(await store.recordCallbacks([deliveryOf(values, 1_000), deliveryOf(changed, 3_000)]), ['accepted', 'conflict']);
        // A malformed request carrying the sid is quarantined: not a delivery of the call.
        const malformed = deliveryOf({ ...values, type: 'X' }, 2_200);
        assert.deepEqual(await store.recordCallbacks([deliveryOf(values, 2_000), malformed, deliveryOf(validCallbackValues(), 2_500)]), ['duplicate', 'quarantined', 'accepted']);
        const deliveries = await store.listDeliveries(values.sid ?? '');
        assert.deepEqual(deliveries.map((d) => [d.received_at, d.result]), [[1_000, 'accepted'], [2_000, 'duplicate'], [3_000, 'conflict']]);
        const first = deliveries[0];
        assert.ok(first);
        assert.deepEqual({ ...first, id: 0 }, {
          id: 0, received_at: 1_000, method: 'GET', path: '/callbacks/call-event', query: new URLSearchParams(values).toString(),
          body: null, content_type: null, source_ip: '127.0.0.1', result: 'accepted',
        });
        assert.equal(first.id, (await store.getCall(values.sid ?? ''))?.raw_request_id);
        assert.equal(deliveries[2]?.query, new URLSearchParams(changed).toString());
      } finally {
        await cleanup();
      }
    });

    it('when a sid has no deliveries or only a quarantined one, then its deliveries and conflicts are empty', async () => {
      const { store, cleanup } = await open();
      try {
        const refused = validCallbackValues({ type: 'X' });
        assert.deepEqual(await store.recordCallbacks([deliveryOf(refused)]), ['quarantined']);
        assert.deepEqual(await store.listDeliveries(refused.sid ?? ''), []);
        assert.deepEqual(await store.listConflicts(refused.sid ?? ''), []);
        assert.deepEqual(await store.listDeliveries('00000000-0000-0000-0000-000000000000'), []);
      } finally {
        await cleanup();
      }
    });

    it('when conflicting versions arrive, then each is listed once, oldest first, decoded, with the fields that differ', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ odd_key: 'kept' });
        const shorter = { ...values, duration: '7', billing_sec: '7', end_time: String(Number(values.start_time) + 7) };
        const busy: Record<string, string> = { ...values, start_time: '0', duration: '0', terminate: '17', odd_key: 'other', new_key: 'n' };
        delete busy.billing_sec;
        const results = await store.recordCallbacks([
          deliveryOf(values, 1_000), deliveryOf(shorter, 2_000),
          deliveryOf(busy, 3_000), deliveryOf(shorter, 4_000),
        ]);
        assert.deepEqual(results, ['accepted', 'conflict', 'conflict', 'duplicate']);
        const conflicts = await store.listConflicts(values.sid ?? '');
        assert.deepEqual(conflicts.map((c) => c.received_at), [2_000, 3_000]);
        assert.deepEqual(conflicts[0]?.differs, ['end_time', 'duration', 'billing_sec']);
        assert.deepEqual(conflicts[1]?.differs, ['start_time', 'duration', 'billing_sec', 'terminate', 'new_key', 'odd_key']);
        const event = conflicts[1]?.event;
        assert.ok(event);
        assert.equal(event.sid, values.sid);
        assert.equal(event.duration, 0);
        assert.equal(event.billing_sec, null);
        assert.equal(event.stid, null);
        assert.deepEqual(event.extra, { new_key: 'n', odd_key: 'other' });
        const deliveries = await store.listDeliveries(values.sid ?? '');
        assert.deepEqual(conflicts.map((c) => c.raw_request_id), deliveries.filter((d) => d.result === 'conflict').map((d) => d.id));
        assert.equal(new Set(conflicts.map((c) => c.content_hash)).size, 2);
      } finally {
        await cleanup();
      }
    });
  });
}
