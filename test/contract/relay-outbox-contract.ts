import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { malformedRecord } from '../../src/ingest/receive-callback.js';
import type { CallbackRecord, CallStore } from '../../src/storage/port.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, rawRequest, type StoreFactory } from './ingest-contract.js';

/** When the deliveries below were received (Unix ms); leases and backoffs count from here. */
const T0 = 1_700_000_200_000;
const LEASE_MS = 1_000;

async function withRelayStore(open: StoreFactory, use: (store: CallStore) => Promise<void>): Promise<void> {
  const { store, cleanup } = await open({ relayCallEvents: true });
  try {
    await use(store);
  } finally {
    await cleanup();
  }
}

const sidsOf = (items: ReadonlyArray<{ sid: string }>) => items.map((i) => i.sid);

/** The relay outbox part of the storage contract (src/relay/, docs/operations.md "Call Event relay"). */
export function describeRelayOutboxContract(name: string, open: StoreFactory): void {
  describe(`${name}: relay outbox contract`, () => {
    it('when the relay is on, then accepted, duplicate and conflicting deliveries are enqueued with their raw request, and a quarantined one is not', async () => {
      await withRelayStore(open, async (store) => {
        const values = validCallbackValues();
        const bad = malformedRecord(rawRequest('sid=nope', T0), [{ field: 'sid', problem: 'is not a UUID' }]);
        const results = await store.recordCallbacks([deliveryOf(values, T0), deliveryOf(values, T0 + 1), deliveryOf({ ...values, duration: '7' }, T0 + 2), bad]);
        assert.deepEqual(results, ['accepted', 'duplicate', 'conflict', 'quarantined']);
        const first = await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 });
        assert.equal(first.length, 1, 'one item of a sid at a time');
        const item = first[0];
        assert.ok(item);
        assert.equal(item.kind, 'call-event');
        assert.equal(item.method, 'GET');
        assert.equal(item.query, new URLSearchParams(values).toString());
        assert.equal(item.receivedAt, T0);
        assert.equal(item.sourceIp, '127.0.0.1');
        assert.equal(item.attempts, 1);
        assert.match(item.deliveryId, /^[0-9a-f-]{36}$/);
        const status = await store.relay.status(T0 + 10, { countDelivered: true });
        assert.deepEqual(status, { pending: 2, inFlight: 1, delivered: 0, dead: 0, oldestPendingReceivedAt: T0 });
      });
    });

    it('when the relay is off, then recording enqueues nothing', async () => {
      const { store, cleanup } = await open();
      try {
        await store.recordCallbacks([deliveryOf(validCallbackValues(), T0)]);
        assert.deepEqual(await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 }), []);
      } finally {
        await cleanup();
      }
    });

    it('when a batch fails to commit, then none of its outbox rows remain (they are written in the record transaction)', async () => {
      await withRelayStore(open, async (store) => {
        const good = deliveryOf(validCallbackValues(), T0);
        // A raw request without a method breaks the raw_requests NOT NULL constraint: the whole batch rolls back.
        const broken = { ...deliveryOf(validCallbackValues(), T0), raw: { ...rawRequest('x', T0), method: null } } as unknown as CallbackRecord;
        await assert.rejects(store.recordCallbacks([good, broken]));
        assert.equal(await store.getCall(good.kind === 'event' ? good.event.sid : ''), null);
        assert.deepEqual(await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 }), []);
        assert.equal((await store.relay.status(T0 + 10)).pending, 0);
      });
    });

    it('when items of several sids wait, then a lease takes the first of each sid, oldest first, and the next of a sid only after the earlier one is delivered', async () => {
      await withRelayStore(open, async (store) => {
        const a = validCallbackValues();
        const b = validCallbackValues();
        await store.recordCallbacks([deliveryOf(a, T0), deliveryOf(b, T0 + 1), deliveryOf(a, T0 + 2)]);
        const first = await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 });
        assert.deepEqual(sidsOf(first), [a.sid, b.sid]);
        assert.deepEqual(await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 }), [], 'a\'s second waits behind its first');
        await store.relay.settle('w1', first.map((i) => ({ id: i.id, outcome: 'delivered' as const })), T0 + 20);
        const next = await store.relay.lease({ owner: 'w1', now: T0 + 20, leaseMs: LEASE_MS, limit: 10 });
        assert.deepEqual(sidsOf(next), [a.sid]);
        assert.ok((next[0]?.id ?? 0) > (first[0]?.id ?? 0));
        assert.notEqual(next[0]?.deliveryId, first[0]?.deliveryId, 'each delivery has its own webhook-id');
        assert.equal((await store.relay.status(T0 + 20, { countDelivered: true })).delivered, 2);
      });
    });

    it('when a lease expires, then another worker takes the item again (same delivery id), and the first worker can no longer settle it', async () => {
      await withRelayStore(open, async (store) => {
        await store.recordCallbacks([deliveryOf(validCallbackValues(), T0)]);
        const [taken] = await store.relay.lease({ owner: 'w1', now: T0, leaseMs: LEASE_MS, limit: 10 });
        assert.ok(taken);
        assert.deepEqual(await store.relay.lease({ owner: 'w2', now: T0 + LEASE_MS - 1, leaseMs: LEASE_MS, limit: 10 }), []);
        const [again] = await store.relay.lease({ owner: 'w2', now: T0 + LEASE_MS, leaseMs: LEASE_MS, limit: 10 });
        assert.equal(again?.id, taken.id);
        assert.equal(again?.deliveryId, taken.deliveryId);
        assert.equal(again?.attempts, 2);
        await store.relay.settle('w1', [{ id: taken.id, outcome: 'dead', error: 'late' }], T0 + LEASE_MS + 1);
        const status = await store.relay.status(T0 + LEASE_MS + 1);
        assert.deepEqual([status.inFlight, status.dead], [1, 0], 'the stale owner\'s settlement is ignored');
        await store.relay.settle('w2', [{ id: taken.id, outcome: 'delivered' }], T0 + LEASE_MS + 2);
        assert.deepEqual(await store.relay.status(T0 + LEASE_MS + 2), { pending: 0, inFlight: 0, delivered: null, dead: 0, oldestPendingReceivedAt: null });
      });
    });

    it('when an attempt failed, then the item is due again only at its next attempt time, and holds back the later items of its sid meanwhile', async () => {
      await withRelayStore(open, async (store) => {
        const a = validCallbackValues();
        const b = validCallbackValues();
        await store.recordCallbacks([deliveryOf(a, T0), deliveryOf(a, T0 + 1), deliveryOf(b, T0 + 2)]);
        const [first] = await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 1 });
        assert.equal(first?.sid, a.sid);
        await store.relay.settle('w1', [{ id: first?.id ?? 0, outcome: 'retry', error: 'HTTP 503', nextAttemptAt: T0 + 5_000 }], T0 + 20);
        assert.deepEqual(sidsOf(await store.relay.lease({ owner: 'w1', now: T0 + 4_999, leaseMs: LEASE_MS, limit: 10 })), [b.sid]);
        const [retried] = await store.relay.lease({ owner: 'w1', now: T0 + 5_000, leaseMs: LEASE_MS, limit: 10 });
        assert.deepEqual([retried?.id, retried?.attempts, retried?.lastError], [first?.id, 2, 'HTTP 503']);
        await store.relay.settle('w1', [{ id: retried?.id ?? 0, outcome: 'dead', error: 'HTTP 503' }], T0 + 5_001);
        const [later] = await store.relay.lease({ owner: 'w1', now: T0 + 5_001, leaseMs: LEASE_MS, limit: 10 });
        assert.deepEqual([later?.sid, later?.attempts], [a.sid, 1], 'once the first is dead, the sid\'s next goes at once');
      });
    });

    it('when an item is given up, then it is a dead letter, its sid goes on, and a retry puts it back with a fresh attempt count', async () => {
      await withRelayStore(open, async (store) => {
        const a = validCallbackValues();
        await store.recordCallbacks([deliveryOf(a, T0), deliveryOf(a, T0 + 1)]);
        const [first] = await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 });
        assert.ok(first);
        await store.relay.settle('w1', [{ id: first.id, outcome: 'dead', error: 'HTTP 500' }], T0 + 30);
        const dead = await store.relay.listDeadLetters({ limit: 10 });
        assert.deepEqual(dead, [{
          id: first.id, delivery_id: first.deliveryId, kind: 'call-event', sid: a.sid, method: 'GET', received_at: T0, attempts: 1,
          last_error: 'HTTP 500', dead_at: T0 + 30,
        }]);
        assert.equal((await store.relay.status(T0 + 30)).dead, 1);
        const [second] = await store.relay.lease({ owner: 'w1', now: T0 + 30, leaseMs: LEASE_MS, limit: 10 });
        assert.ok(second && second.id > first.id, 'a dead letter does not block its sid');
        await store.relay.settle('w1', [{ id: second.id, outcome: 'delivered' }], T0 + 40);

        assert.equal(await store.relay.retryDeadLetters([first.id + 1_000], T0 + 50), 0, 'an id that is no dead letter');
        assert.equal(await store.relay.retryDeadLetters([first.id], T0 + 50), 1);
        assert.deepEqual(await store.relay.listDeadLetters({ limit: 10 }), []);
        const [back] = await store.relay.lease({ owner: 'w1', now: T0 + 50, leaseMs: LEASE_MS, limit: 10 });
        assert.deepEqual([back?.id, back?.attempts, back?.deliveryId], [first.id, 1, first.deliveryId]);
      });
    });

    it('when dead letters are many, then they page newest first and "all" retries every one', async () => {
      await withRelayStore(open, async (store) => {
        await store.recordCallbacks([1, 2, 3].map((n) => deliveryOf(validCallbackValues(), T0 + n)));
        const items = await store.relay.lease({ owner: 'w1', now: T0 + 10, leaseMs: LEASE_MS, limit: 10 });
        await store.relay.settle('w1', items.map((i) => ({ id: i.id, outcome: 'dead' as const, error: 'x' })), T0 + 20);
        const page = await store.relay.listDeadLetters({ limit: 2 });
        assert.deepEqual(page.map((d) => d.id), [items[2]?.id, items[1]?.id]);
        assert.deepEqual((await store.relay.listDeadLetters({ limit: 2, beforeId: items[1]?.id ?? 0 })).map((d) => d.id), [items[0]?.id]);
        assert.equal(await store.relay.retryDeadLetters('all', T0 + 30), 3);
        assert.equal((await store.relay.status(T0 + 30)).pending, 3);
      });
    });
  });
}
