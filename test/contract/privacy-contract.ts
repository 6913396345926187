import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DAY_MS, type RetentionPolicy } from '../../src/domain/privacy/retention-policy.js';
import { readKeyedCallbackRequest } from '../../src/ingest/read-callback-request.js';
import type { CallbackRecord, CallStore } from '../../src/storage/port.js';
import { validCallbackValues, validNotifyValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, rawRequest } from './ingest-contract.js';

/**
 * A store for the privacy contract, and every byte it holds: `dump` closes the store and
 * returns the database's whole content (SQLite: the file and its WAL after VACUUM;
 * PostgreSQL: every row of every table of the schema as text).
 */
export type PrivacyStoreFactory = () => Promise<{ store: CallStore; dump: () => Promise<string>; cleanup: () => Promise<void> }>;

const TARGET = { serviceId: 'svc.example', userId: 'alice.user-7f3' };
const ALICE_V4 = '198.51.100.77';
const ALICE_V6 = '2001:db8:beef:1::77';
const BOB_IP = '203.0.113.5';
const CAROL_IP = '192.0.2.9';
/** Every text that must be gone after the erasure, as stored and as percent-encoded in raw requests. */
const TRACES = [TARGET.userId, ALICE_V4, ALICE_V6, encodeURIComponent(ALICE_V6), 'alice-app-context', 'AliceNick', 'QWxpY2VOaWNr'];

/** A malformed delivery with a JSON body (415): only the raw text names the user. */
function jsonBodyDelivery(receivedAt: number): CallbackRecord {
  return {
    raw: { ...rawRequest('', receivedAt), method: 'POST', body: JSON.stringify({ from_user_id: TARGET.userId, srcip: ALICE_V4 }), contentType: 'application/json' },
    kind: 'malformed', problems: [{ field: 'body', problem: 'unsupported media type' }], sid: null,
  };
}

/** A Notify delivery built as the HTTP layer builds it. */
function notifyDelivery(values: Record<string, string>, receivedAt: number): CallbackRecord {
  const raw = { ...rawRequest(new URLSearchParams(values).toString(), receivedAt), path: '/callbacks/notify' };
  return readKeyedCallbackRequest('notify', raw).record;
}

/** Erasure and retention, on every adapter (docs/operations.md, "Personal data"). */
export function describePrivacyContract(name: string, open: PrivacyStoreFactory): void {
  describe(`${name}: erasure contract`, () => {
    it('when a user is erased, then no byte of their id, IPs or app data remains, the receipt counts each table, the other party and the statistics stay', async () => {
      const { store, dump, cleanup } = await open();
      try {
        const asCaller = validCallbackValues({
          from_service_id: TARGET.serviceId, from_user_id: TARGET.userId, srcip: ALICE_V4, to_user_id: 'bob.b', dstip: BOB_IP,
          app_svr_data: 'alice-app-context', nick: 'AliceNick',
        });
        const asCallee = validCallbackValues({ from_user_id: 'carol.c', srcip: CAROL_IP, to_service_id: TARGET.serviceId, to_user_id: TARGET.userId, dstip: ALICE_V6, setup_time: '1700003600', start_time: '0', end_time: '1700003610', duration: '0', billing_sec: undefined, terminate: '17' });
        const unrelated = validCallbackValues({ from_user_id: 'bob.b', srcip: BOB_IP, to_user_id: 'carol.c', dstip: CAROL_IP });
        const changed = { ...asCaller, duration: '119', billing_sec: '119' };
        // The call's Notify names the caller and carries the app's data; a second version differs in its push payload.
        const notify = validNotifyValues({
          sid: asCaller.sid, from_service_id: TARGET.serviceId, from_user_id: TARGET.userId, to_service_id: asCaller.to_service_id,
          to_user_id: 'bob.b', type: 'V', param: 'QWxpY2VOaWNr', app_svr_data: 'alice-app-context', nick: 'AliceNick',
        });
        assert.deepEqual(await store.recordCallbacks([notifyDelivery(notify, 500), notifyDelivery({ ...notify, param: 'b3RoZXI' }, 600)]), ['accepted', 'conflict']);
        const results = await store.recordCallbacks([
          deliveryOf(asCaller, 1_000), deliveryOf(asCallee, 2_000), deliveryOf(unrelated, 3_000), deliveryOf(asCaller, 4_000),
          deliveryOf(changed, 5_000), deliveryOf({ ...asCaller, sid: randomUUID(), type: 'X' }, 6_000), jsonBodyDelivery(7_000),
        ]);
        assert.deepEqual(results, ['accepted', 'accepted', 'accepted', 'duplicate', 'conflict', 'quarantined', 'quarantined']);
        const filter = { time_field: 'setup_time' as const };
        const before = await Promise.all([store.statsSummary({ filter }), store.statsSummary({ filter, exact: true })]);
        const callersBefore = await store.statsBreakdown({ filter, by: 'caller', limit: 10 });

        const receipt = await store.eraseUser({ target: TARGET, actor: 'cli', now: 1_234 });
        assert.deepEqual(receipt.touched, { calls: 2, call_conflicts: 1, notifies: 1, callback_conflicts: 1, group_call_events: 0, quarantine: 2, relay_outbox: 0, raw_requests: 8 });
        assert.equal(receipt.erased_at, 1_234);

        const caller = await store.getCall(asCaller.sid ?? '');
        const callee = await store.getCall(asCallee.sid ?? '');
        assert.ok(caller && callee);
        assert.match(caller.from_user_id, /^erased-[0-9a-f]{24}$/);
        assert.equal(callee.to_user_id, caller.from_user_id, 'one pseudonym per erasure: their calls stay together');
        assert.deepEqual([caller.srcip, caller.app_svr_data, caller.extra, callee.dstip], ['', null, {}, '']);
        assert.deepEqual([caller.to_user_id, caller.dstip, callee.from_user_id, callee.srcip], ['bob.b', BOB_IP, 'carol.c', CAROL_IP], 'the other party stays');
        assert.equal((await store.getCall(unrelated.sid ?? ''))?.srcip, BOB_IP);
        const [conflict] = await store.listConflicts(asCaller.sid ?? '');
        assert.deepEqual([conflict?.event.from_user_id, conflict?.event.duration], [caller.from_user_id, 119]);

        assert.deepEqual(await Promise.all([store.statsSummary({ filter }), store.statsSummary({ filter, exact: true })]), before);
        const callersAfter = await store.statsBreakdown({ filter, by: 'caller', limit: 10 });
        assert.deepEqual(callersAfter.items.map((i) => i.attempts).sort(), callersBefore.items.map((i) => i.attempts).sort());

        const again = await store.eraseUser({ target: TARGET, actor: 'api', now: 5_678 });
        assert.deepEqual(again.touched, { calls: 0, call_conflicts: 0, notifies: 0, callback_conflicts: 0, group_call_events: 0, quarantine: 0, relay_outbox: 0, raw_requests: 0 });
        assert.equal(again.id, receipt.id + 1);

        const content = await dump();
        for (const trace of TRACES) assert.equal(content.includes(trace), false, `"${trace}" is still in the database`);
        for (const kept of ['bob.b', BOB_IP, 'carol.c', CAROL_IP, TARGET.serviceId]) assert.ok(content.includes(kept), `"${kept}" should stay`);
      } finally {
        await cleanup();
      }
    });

    it('when the same user id exists in another service, then only the named service loses it', async () => {
      const { store, cleanup } = await open();
      try {
        const other = validCallbackValues({ from_service_id: 'other.svc', from_user_id: TARGET.userId });
        const mine = validCallbackValues({ from_service_id: TARGET.serviceId, from_user_id: TARGET.userId });
        await store.recordCallbacks([deliveryOf(other), deliveryOf(mine)]);
        const receipt = await store.eraseUser({ target: TARGET, actor: 'api', now: 1 });
        assert.equal(receipt.touched.calls, 1);
        assert.equal((await store.getCall(other.sid ?? ''))?.from_user_id, TARGET.userId);
        assert.match((await store.getCall(mine.sid ?? ''))?.from_user_id ?? '', /^erased-/);
        assert.deepEqual((await store.listDeliveries(other.sid ?? '')).map((d) => d.query), [new URLSearchParams(other).toString()]);
      } finally {
        await cleanup();
      }
    });
  });

  describe(`${name}: retention contract`, () => {
    // An hour-aligned now: every cutoff below falls on a whole hour, so the boundaries are exact.
    const NOW = 1_700_006_400_000 + 60 * DAY_MS;
    const policy: RetentionPolicy = { rawDays: 10, quarantineDays: 15, callsDays: 20, rollupsDays: 40, truncateIpsDays: 3 };
    const ago = (days: number, ms = 0) => NOW - days * DAY_MS + ms;
    const callAt = (seconds: number, overrides: Record<string, string> = {}) =>
      validCallbackValues({ setup_time: String(seconds), start_time: String(seconds + 5), end_time: String(seconds + 65), duration: '60', billing_sec: '60', ...overrides });

    it('when retention runs, then what is exactly at each limit stays, what is older goes, rollups outlive calls and IPs are cut to /24 and /48', async () => {
      const { store, cleanup } = await open();
      try {
        const sec = (ms: number) => Math.floor(ms / 1000);
        const calls = {
          atCallsLimit: callAt(sec(ago(20))), pastCallsLimit: callAt(sec(ago(20)) - 1),
          atRollupLimit: callAt(sec(ago(40))), pastRollupLimit: callAt(sec(ago(40)) - 3_600),
          atIpLimit: callAt(sec(ago(3))), pastIpLimit: callAt(sec(ago(3)) - 1, { srcip: '192.0.2.200', dstip: '2001:db8:abcd:12::1' }),
        };
        const raw = { atRawLimit: ago(10), pastRawLimit: ago(10, -1) };
        const quarantined = { atLimit: ago(15), pastLimit: ago(15, -1), pastRawLimitOnly: ago(12) };
        const records: CallbackRecord[] = [
          ...Object.values(calls).map((c) => deliveryOf(c, Number(c.setup_time) * 1000)),
          deliveryOf(callAt(sec(ago(1))), raw.atRawLimit), deliveryOf(callAt(sec(ago(1))), raw.pastRawLimit),
          ...Object.values(quarantined).map((t) => deliveryOf(validCallbackValues({ type: 'X' }), t)),
          // A conflicting version of a kept call, received before the IP limit.
          deliveryOf({ ...calls.atCallsLimit, duration: '61', srcip: '192.0.2.201', dstip: '2001:db8:abcd:12::2' }, ago(4)),
        ];
        assert.ok((await store.recordCallbacks(records)).every((r) => r !== 'duplicate'));
        const oldWindow = { time_field: 'setup_time' as const, from: sec(ago(40)), to: sec(ago(20)) };
        const oldFigures = await store.statsSummary({ filter: oldWindow });
        assert.equal(oldFigures.summary.attempts, 2);

        const dry = await store.applyRetention({ policy, now: NOW, dryRun: true });
        assert.deepEqual(dry.removed, { calls: 3, call_conflicts: 0, notifies: 0, agent_call_statuses: 0, group_sessions: 0, group_call_events: 0, quarantine: 1, relay_outbox: 0, raw_requests: 5, call_rollups: 8 });
        assert.ok(await store.getCall(calls.pastCallsLimit.sid ?? ''), 'a dry run changes nothing');

        const report = await store.applyRetention({ policy, now: NOW, batchSize: 1 });
        assert.deepEqual(report.removed, dry.removed);
        for (const [label, c] of Object.entries(calls)) {
          const kept = ['atCallsLimit', 'atIpLimit', 'pastIpLimit'].includes(label);
          assert.equal((await store.getCall(c.sid ?? '')) !== null, kept, label);
        }
        const entries = await store.listQuarantine({ limit: 10 });
        assert.deepEqual(entries.map((e) => e.received_at).sort(), [quarantined.atLimit, quarantined.pastRawLimitOnly].sort());
        const rawTimes = (await Promise.all(records.filter((r) => r.kind === 'event').map((r) => store.listDeliveries(r.kind === 'event' ? r.event.sid : ''))))
          .flat().map((d) => d.received_at);
        assert.ok(rawTimes.includes(raw.atRawLimit) && !rawTimes.includes(raw.pastRawLimit));

        // The calls between the limits are gone, their hours' figures remain in the rollups; older hours went with their rollups.
        assert.deepEqual(await store.statsSummary({ filter: oldWindow }), oldFigures);
        assert.equal((await store.statsSummary({ filter: { ...oldWindow, from: sec(ago(41)) } })).summary.attempts, 2);

        const cut = await store.getCall(calls.pastIpLimit.sid ?? '');
        assert.deepEqual([cut?.srcip, cut?.dstip], ['192.0.2.0', '2001:db8:abcd::']);
        const [cutRaw] = await store.listDeliveries(calls.pastIpLimit.sid ?? '');
        assert.ok(cutRaw?.query.includes('srcip=192.0.2.0') && cutRaw.query.includes(`dstip=${encodeURIComponent('2001:db8:abcd::')}`), cutRaw?.query);
        const untouched = await store.getCall(calls.atIpLimit.sid ?? '');
        assert.deepEqual([untouched?.srcip, untouched?.dstip], ['1.2.3.4', '2001:db8::1']);
        assert.ok((report.ipsTruncated.calls ?? 0) >= 1 && (report.ipsTruncated.raw_requests ?? 0) >= 1);
        const [version] = await store.listConflicts(calls.atCallsLimit.sid ?? '');
        assert.deepEqual([version?.event.srcip, version?.event.dstip, report.ipsTruncated.call_conflicts], ['192.0.2.0', '2001:db8:abcd::', 1]);

        const rerun = await store.applyRetention({ policy, now: NOW });
        assert.deepEqual(rerun.removed, { calls: 0, call_conflicts: 0, notifies: 0, agent_call_statuses: 0, group_sessions: 0, group_call_events: 0, quarantine: 0, relay_outbox: 0, raw_requests: 0, call_rollups: 0 });
        assert.deepEqual(rerun.ipsTruncated, { calls: 0, call_conflicts: 0, raw_requests: 0 });
      } finally {
        await cleanup();
      }
    });

    it('when calls go while the peaks of their hours are still stale, then the rollups keep the figures the calls gave, peaks included', async () => {
      const kept = await open();
      const pruned = await open();
      try {
        // 26 old hours (between the calls and the rollups limits), each with three overlapping
        // calls, one talking into the next hour: more stale slots than one refresh transaction.
        const firstHour = Math.floor(ago(35) / 3_600_000) * 3_600;
        const records = Array.from({ length: 26 }, (_, h) => firstHour + h * 3_600).flatMap((hour) => [
          callAt(hour + 600), callAt(hour + 620), callAt(hour + 3_550, { end_time: String(hour + 3_600 + 900), duration: '945', billing_sec: '945' }),
        ]).map((c) => deliveryOf(c, Number(c.setup_time) * 1000));
        for (const { store } of [kept, pruned]) assert.ok((await store.recordCallbacks(records)).every((r) => r === 'accepted'));
        // No read before the run: every slot the calls touched is still stale when retention starts.
        const report = await pruned.store.applyRetention({ policy, now: NOW, batchSize: 7 });
        assert.equal(report.removed.calls, records.length);
        const window = { time_field: 'setup_time' as const, from: firstHour, to: firstHour + 27 * 3_600 };
        const exact = await kept.store.statsSummary({ filter: window });
        assert.equal(exact.summary.peak_concurrency, 3, "a call talking into the next hour meets its two");
        assert.deepEqual(await pruned.store.statsSummary({ filter: window }), exact);
      } finally {
        await kept.cleanup();
        await pruned.cleanup();
      }
    });

    it('when a late delivery for an old hour arrives while retention removes calls, then that hour keeps the peak of all its calls, the late one included', async () => {
      const kept = await open();
      const pruned = await open();
      try {
        // Three old hours, each with two overlapping calls (peak 2), and three calls per batch:
        // the first batch ends with the first hour (not one call into the second), and the late
        // call for the second hour arrives after the job's first refresh, before its hour's calls go.
        const firstHour = Math.floor(ago(35) / 3_600_000) * 3_600;
        const lateHour = firstHour + 3_600;
        const records = [firstHour, lateHour, lateHour + 3_600].flatMap((hour) => [callAt(hour + 600), callAt(hour + 620)])
          .map((c) => deliveryOf(c, Number(c.setup_time) * 1000));
        const late = deliveryOf(callAt(lateHour + 610), NOW);
        for (const { store } of [kept, pruned]) assert.ok((await store.recordCallbacks(records)).every((r) => r === 'accepted'));
        assert.deepEqual(await kept.store.recordCallbacks([late]), ['accepted']);
        let delivered = false;
        const report = await pruned.store.applyRetention({
          policy, now: NOW, batchSize: 3,
          onBatch: async (table) => {
            if (table !== 'calls' || delivered) return;
            delivered = true;
            assert.deepEqual(await pruned.store.recordCallbacks([late]), ['accepted']);
          },
        });
        assert.equal(delivered, true);
        assert.equal(report.removed.calls, records.length + 1);
        const window = { time_field: 'setup_time' as const, from: firstHour, to: lateHour + 2 * 3_600 };
        const exact = await kept.store.statsSummary({ filter: window });
        assert.equal(exact.summary.peak_concurrency, 3, 'the late call talks with the two of its hour');
        assert.deepEqual(await pruned.store.statsSummary({ filter: window }), exact);
      } finally {
        await kept.cleanup();
        await pruned.cleanup();
      }
    });
  });
}
