import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type KeyedCallbackKind, toKeyedCallbackRecord } from '../../src/ingest/receive-callback.js';
import type { RawRequest } from '../../src/storage/port.js';
import { validAgentCallStatusValues, validCallbackValues, validNotifyValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

const T0 = 1_700_000_000_000;
const HOUR_MS = 3_600_000;

function rawOf(kind: KeyedCallbackKind, values: Record<string, string>, receivedAt: number): RawRequest {
  const query = new URLSearchParams(values).toString();
  return { receivedAt, method: 'GET', path: `/callbacks/${kind}`, query, body: null, contentType: null, sourceIp: '127.0.0.1' };
}

/** A Notify or Agent Call Status record built exactly as the HTTP layer builds it. */
export function keyedDeliveryOf(kind: KeyedCallbackKind, values: Record<string, string>, receivedAt = T0) {
  return toKeyedCallbackRecord(kind, rawOf(kind, values, receivedAt), new Map(Object.entries(values)), []);
}

/** Notify, Agent Call Status and one call's life joined on sid: every adapter must pass it. */
export function describeCallLifeContract(name: string, open: StoreFactory): void {
  describe(`${name}: Notify, Agent Call Status and the call's life`, () => {
    it('when a Notify arrives, then its repeat is a duplicate, a differing one a conflict, and the first version is kept', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validNotifyValues({ unknown_key: 'kept' });
        const results = await store.recordCallbacks([
          keyedDeliveryOf('notify', values),
          keyedDeliveryOf('notify', values, T0 + 1),
          keyedDeliveryOf('notify', { ...values, param: 'b3RoZXI=' }, T0 + 2),
          keyedDeliveryOf('notify', { ...values, param: 'b3RoZXI=' }, T0 + 3),
        ]);
        assert.deepEqual(results, ['accepted', 'duplicate', 'conflict', 'duplicate']);
        const life = await store.getCallLife((values.sid ?? '').toUpperCase());
        assert.ok(life?.notify);
        assert.equal(life.notify.param, values.param);
        assert.equal(life.notify.conflicts, 1);
        assert.equal(life.notify.received_at, T0);
        assert.deepEqual(life.notify.extra, { unknown_key: 'kept' });
        assert.equal(life.call, null);
        assert.deepEqual(life.deliveries.map((d) => d.result), ['accepted', 'duplicate', 'conflict', 'duplicate']);
      } finally {
        await cleanup();
      }
    });

    it('when an Agent Call Status arrives in mixed case, then result is SUCCESS, fail_reason None is null, and a repeat in other case is a duplicate', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validAgentCallStatusValues();
        const results = await store.recordCallbacks([
          keyedDeliveryOf('agent-call-status', values),
          keyedDeliveryOf('agent-call-status', { ...values, result: 'SUCCESS' }, T0 + 1),
          keyedDeliveryOf('agent-call-status', { ...values, result: 'fail', fail_reason: 'NO_MEDIA' }, T0 + 2),
        ]);
        assert.deepEqual(results, ['accepted', 'duplicate', 'conflict']);
        const life = await store.getCallLife(values.sid ?? '');
        assert.equal(life?.agentCallStatus?.result, 'SUCCESS');
        assert.equal(life?.agentCallStatus?.fail_reason, null);
        assert.equal(life?.agentCallStatus?.conflicts, 1);
      } finally {
        await cleanup();
      }
    });

    it('when a Notify is malformed, then it is quarantined with every bad field named and kept raw', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validNotifyValues({ sid: 'not-a-uuid', type: 'X', param: undefined });
        const record = keyedDeliveryOf('notify', values);
        assert.equal(record.kind, 'malformed');
        assert.deepEqual(record.kind === 'malformed' ? record.problems.map((p) => p.field) : [], ['sid', 'type', 'param']);
        assert.deepEqual(await store.recordCallbacks([record]), ['quarantined']);
        const [entry] = await store.listQuarantine({ limit: 10 });
        assert.equal(entry?.path, '/callbacks/notify');
        assert.deepEqual(entry?.reasons.map((r) => r.field), ['sid', 'type', 'param']);
      } finally {
        await cleanup();
      }
    });

    it('when Notify, relay, Agent Call Status and Call Event arrive for one sid, then the life holds them all with deliveries in time order', async () => {
      const { store, cleanup } = await open();
      try {
        const call = validCallbackValues({ disconnect_reason: '1302', duration: '0', start_time: '0', billing_sec: '0', terminate: '127' });
        const sid = call.sid ?? '';
        await store.recordCallbacks([keyedDeliveryOf('notify', validNotifyValues({ sid }), T0)]);
        await store.recordNotifyRelays([{ sid, attempted_at: T0 + 1, outcome: 'http_error', status: 500, latency_ms: 12, error: 'answered 500' }]);
        await store.recordCallbacks([keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ sid }), T0 + 5)]);
        await store.recordCallbacks([deliveryOf(call, T0 + 60_000)]);
        const life = await store.getCallLife(sid);
        assert.ok(life);
        assert.equal(life.call?.disconnect_reason, 1302);
        assert.deepEqual(life.relays.map((r) => [r.outcome, r.status, r.latency_ms]), [['http_error', 500, 12]]);
        assert.deepEqual(life.deliveries.map((d) => [d.path, d.received_at]), [
          ['/callbacks/notify', T0], ['/callbacks/agent-call-status', T0 + 5], ['/callbacks/call-event', T0 + 60_000],
        ]);
        assert.equal(await store.getCallLife(validNotifyValues().sid ?? ''), null);
      } finally {
        await cleanup();
      }
    });

    it('when a backlog of notifies passes the deadline at once, then the sweep flags each once in short transactions, and the event loop runs between them', async () => {
      const { store, cleanup } = await open();
      try {
        const backlog = Array.from({ length: 600 }, (_, i) => keyedDeliveryOf('notify', validNotifyValues(), T0 + i));
        await store.recordCallbacks(backlog);
        const clock = { now: T0 + 3 * HOUR_MS, deadlineMs: 2 * HOUR_MS };
        // A timer due at once: it fires before the sweep ends only if the sweep gives the event loop turns.
        let timerFired = false;
        setTimeout(() => (timerFired = true), 0);
        let sweepEndedFirst = false;
        const flagged = await store.flagEndMissing(clock).then((n) => {
          sweepEndedFirst = !timerFired;
          return n;
        });
        assert.equal(flagged, 600);
        assert.equal(sweepEndedFirst, false, 'the sweep held the event loop from start to end');
        assert.equal(await store.flagEndMissing(clock), 0);
        assert.equal(await store.countEndMissing(clock), 600);
      } finally {
        await cleanup();
      }
    });

    it('when a notified call has no Call Event past the deadline, then it is end_missing until its end arrives, and flagged once', async () => {
      const { store, cleanup } = await open();
      try {
        const late = validNotifyValues();
        const recent = validNotifyValues();
        await store.recordCallbacks([keyedDeliveryOf('notify', late, T0), keyedDeliveryOf('notify', recent, T0 + HOUR_MS)]);
        const clock = { now: T0 + 2 * HOUR_MS + 1, deadlineMs: 2 * HOUR_MS };
        const listed = await store.listLifecycle({ ...clock, lifecycle: 'end_missing', limit: 10 });
        assert.deepEqual(listed.map((e) => [e.sid, e.notified_at, e.to_user_id]), [[late.sid, T0, 'callee.1']]);
        assert.equal(await store.countEndMissing(clock), 1);
        assert.equal(await store.flagEndMissing(clock), 1);
        assert.equal(await store.flagEndMissing(clock), 0);
        // After the sweep the same call is found through its mark, once.
        assert.equal(await store.countEndMissing(clock), 1);
        assert.deepEqual((await store.listLifecycle({ ...clock, lifecycle: 'end_missing', limit: 10 })).map((e) => e.sid), [late.sid]);
        await store.recordCallbacks([deliveryOf(validCallbackValues({ sid: late.sid }), clock.now)]);
        assert.deepEqual(await store.listLifecycle({ ...clock, lifecycle: 'end_missing', limit: 10 }), []);
        assert.equal(await store.countEndMissing(clock), 0);
        // Later, the recent one passes its deadline too: only it is newly flagged.
        const later = { now: T0 + 3 * HOUR_MS + 1, deadlineMs: 2 * HOUR_MS };
        assert.equal(await store.flagEndMissing(later), 1);
        assert.deepEqual((await store.listLifecycle({ ...later, lifecycle: 'end_missing', limit: 10 })).map((e) => e.sid), [recent.sid]);
      } finally {
        await cleanup();
      }
    });

    it('when Call Events arrive without a Notify, then only calls set up after the first Notify are notify_missing', async () => {
      const { store, cleanup } = await open();
      try {
        const clock = { now: T0 + HOUR_MS, deadlineMs: 2 * HOUR_MS };
        const before = validCallbackValues({ setup_time: String(T0 / 1000 - 60) });
        await store.recordCallbacks([deliveryOf(before, T0 - 1000)]);
        assert.deepEqual(await store.listLifecycle({ ...clock, lifecycle: 'notify_missing', limit: 10 }), []);
        const notified = validNotifyValues();
        const after = validCallbackValues({ setup_time: String(T0 / 1000 + 60) });
        await store.recordCallbacks([
          keyedDeliveryOf('notify', notified, T0),
          deliveryOf(validCallbackValues({ sid: notified.sid, setup_time: String(T0 / 1000 + 1) }), T0 + 2000),
          deliveryOf(after, T0 + 90_000),
        ]);
        const listed = await store.listLifecycle({ ...clock, lifecycle: 'notify_missing', limit: 10 });
        assert.deepEqual(listed.map((e) => [e.sid, e.setup_time, e.ended_at]), [[after.sid, T0 / 1000 + 60, T0 + 90_000]]);
      } finally {
        await cleanup();
      }
    });
  });
}
