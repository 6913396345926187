import assert from 'node:assert/strict';
import { it } from 'node:test';
import pino from 'pino';
import { RelayWorker } from '../../src/relay/relay-worker.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { deliveryOf } from '../contract/ingest-contract.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { startRelayTarget } from '../fixtures/relay-target.js';
import { createTestSchema, describePostgres } from './pg-test-schema.js';

/** Calls recorded, each delivered twice (a call and its duplicate): two items per sid, in order. */
const SIDS = 60;

describePostgres('relay shared by two PostgreSQL receivers', (url) => {
  it('when two relay workers share one outbox, then every item is delivered once, never at both at once, and a sid\'s items in order', { timeout: 30_000 }, async () => {
    const schema = await createTestSchema(url);
    const target = await startRelayTarget(async () => {
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(Math.random() * 5)));
      return 200;
    });
    const stores = [await createPostgresStore(schema.url, { relayCallEvents: true }), await createPostgresStore(schema.url, { relayCallEvents: true })];
    const sent = [0, 0];
    const workers = stores.map((store, n) => new RelayWorker({
      outbox: store.relay,
      settings: { url: `${target.url}/cb`, agentCallStatusUrl: null, timeoutMs: 5_000, signingSecret: null, maxAttempts: 3, backoffBaseMs: 10, backoffMaxMs: 10, concurrency: 8 },
      pollMs: 5,
      logger: pino({ level: 'silent' }),
      onAttempt: (result) => {
        if (result === 'delivered') sent[n] = (sent[n] ?? 0) + 1;
      },
    }));
    try {
      const calls = Array.from({ length: SIDS }, () => validCallbackValues());
      // Half through each receiver, so both enqueue; the duplicates after the calls.
      await stores[0]?.recordCallbacks(calls.slice(0, SIDS / 2).map((v) => deliveryOf(v)));
      await stores[1]?.recordCallbacks(calls.slice(SIDS / 2).map((v) => deliveryOf(v)));
      await stores[0]?.recordCallbacks(calls.map((v) => deliveryOf(v)));
      for (const worker of workers) worker.start();
      await target.waitFor(SIDS * 2, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 100));

      const outbox = (await stores[0]?.pool.query<{ id: string; delivery_id: string; sid: string; state: string }>('SELECT id, delivery_id, sid, state FROM relay_outbox ORDER BY id'))?.rows ?? [];
      assert.equal(outbox.length, SIDS * 2);
      const ids = target.received.map((r) => String(r.headers['webhook-id']));
      assert.equal(new Set(ids).size, ids.length, 'no item was sent twice');
      assert.deepEqual([...ids].sort(), outbox.map((r) => r.delivery_id).sort(), 'every item was sent');
      assert.equal(target.maxConcurrentPerId, 1);
      assert.ok((sent[0] ?? 0) > 0 && (sent[1] ?? 0) > 0, `both receivers relayed (${sent.join(' and ')})`);
      const order = new Map(outbox.map((r) => [r.delivery_id, Number(r.id)]));
      for (const sid of new Set(outbox.map((r) => r.sid))) {
        const arrived = target.received.filter((r) => new URLSearchParams(r.url.split('?')[1]).get('sid') === sid).map((r) => order.get(String(r.headers['webhook-id'])) ?? 0);
        assert.deepEqual(arrived, [...arrived].sort((a, b) => a - b), `sid ${sid} in order`);
      }
      const status = await stores[1]?.relay.status(Date.now(), { countDelivered: true });
      assert.deepEqual(status, { pending: 0, inFlight: 0, delivered: SIDS * 2, dead: 0, oldestPendingReceivedAt: null });
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(stores.map((s) => s.close()));
      await target.close();
      await schema.drop();
    }
  });
});
