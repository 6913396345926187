import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import type { CallStore, RawRequest, RecordOptions } from '../../src/storage/port.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';

/** Opens a fresh, empty store for one test; the returned function closes and removes it. */
export type StoreFactory = (options?: RecordOptions) => Promise<{ store: CallStore; cleanup: () => Promise<void> }>;

export function rawRequest(query: string, receivedAt = 1_700_000_200_000): RawRequest {
  return { receivedAt, method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '127.0.0.1' };
}

/** A delivery record built exactly as the HTTP layer builds it. */
export function deliveryOf(values: Record<string, string>, receivedAt?: number) {
  const query = new URLSearchParams(values).toString();
  return toCallbackRecord(rawRequest(query, receivedAt), new Map(Object.entries(values)), []);
}

/** The ingest part of the storage contract: every adapter must pass it. */
export function describeIngestContract(name: string, open: StoreFactory): void {
  describe(`${name}: ingest contract`, () => {
    it('when a valid delivery is recorded, then the call reads back with the same fields', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ app_svr_data: 'ctx-1', unknown_key: 'kept' });
        assert.deepEqual(await store.recordCallbacks([deliveryOf(values)]), ['accepted']);
        const call = await store.getCall(values.sid ?? '');
        assert.ok(call);
        assert.equal(call.duration, 120);
        assert.equal(call.app_svr_data, 'ctx-1');
        assert.equal(call.billing_sec, 120);
        assert.equal(call.call_end_reason, null);
        assert.deepEqual(call.extra, { unknown_key: 'kept' });
        assert.equal(call.outcome, 'completed');
        assert.equal(call.received_at, 1_700_000_200_000);
      } finally {
        await cleanup();
      }
    });

    it('when one batch holds a call, its duplicate and a conflicting version, then results say so in order', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues();
        const results = await store.recordCallbacks([
          deliveryOf(values),
          deliveryOf(values),
          deliveryOf({ ...values, duration: '7' }),
          deliveryOf({ ...values, duration: '7' }),
        ]);
        assert.deepEqual(results, ['accepted', 'duplicate', 'conflict', 'duplicate']);
        const call = await store.getCall(values.sid ?? '');
        assert.equal(call?.duration, 120);
        assert.equal(call?.conflicts, 1);
      } finally {
        await cleanup();
      }
    });

    it('when a malformed delivery is recorded, then it is listed in quarantine with its reasons', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues({ type: 'X' });
        assert.deepEqual(await store.recordCallbacks([deliveryOf(values)]), ['quarantined']);
        const [entry] = await store.listQuarantine({ limit: 10 });
        assert.ok(entry);
        assert.deepEqual(entry.reasons, [{ field: 'type', problem: "must be 'A' (audio) or 'V' (video)" }]);
        assert.equal(entry.query, new URLSearchParams(values).toString());
        assert.equal(await store.getCall(values.sid ?? ''), null);
      } finally {
        await cleanup();
      }
    });
  });
}
