import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldProblem } from '../../src/domain/call-event.js';
import { readCallEventRequest } from '../../src/ingest/read-callback-request.js';
import type { CheckFinding } from '../../src/ingest/rebuild/check-findings.js';
import { checkRebuild } from '../../src/ingest/rebuild/check-rebuild.js';
import { rebuildFromRaw } from '../../src/ingest/rebuild/rebuild-from-raw.js';
import { replayQuarantine } from '../../src/ingest/replay-quarantine.js';
import { planTraffic } from '../../src/simulate/plan-traffic.js';
import { DEFAULT_TRAFFIC } from '../../src/simulate/traffic-options.js';
import type { CallbackRecord, CallStore, RawRequest } from '../../src/storage/port.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { deliveryOf, rawRequest, type StoreFactory } from './ingest-contract.js';

const RECEIVED_AT = 1_700_000_300_000;

/**
 * A valid delivery kept in quarantine, as a version whose parser did not know one of its
 * values would have kept it: recorded through the port as malformed with that version's
 * reason. Today's parser reads its raw request as valid, as after an upgrade.
 */
function refusedByAnOlderVersion(values: Record<string, string>, receivedAt = RECEIVED_AT): CallbackRecord {
  const problems: FieldProblem[] = [{ field: 'disconnect_reason', problem: 'is not a known code (callevt 0.x)' }];
  return { raw: rawRequest(new URLSearchParams(values).toString(), receivedAt), kind: 'malformed', problems, sid: values.sid ?? null };
}

/** A simulator-like load: calls with duplicates and conflicting versions, malformed requests, a POST, an oversized query. */
function simulatedLoad(): CallbackRecord[] {
  const plan = planTraffic({ ...DEFAULT_TRAFFIC, seed: 'rebuild-contract', epoch: 1_800_000_000, duplicateShare: 0.25, conflictShare: 0.15, malformedShare: 0.1, unknownKeyShare: 0.1 });
  const firsts: RawRequest[] = [];
  const repeats: RawRequest[] = [];
  let at = 1_800_000_000_000;
  for (let i = 0; i < 120; i++) {
    const item = plan.next().value;
    if (item.kind === 'malformed') firsts.push(rawRequest(item.malformed.query, (at += 7)));
    else for (const [n, d] of item.deliveries.entries()) (n === 0 ? firsts : repeats).push(rawRequest(d.query, (at += 7)));
  }
  const post = validCallbackValues({ setup_time: '1800000100', start_time: '1800000105', end_time: '1800000125', duration: '20', billing_sec: '20' });
  const extra: RawRequest[] = [
    { ...rawRequest('', (at += 7)), method: 'POST', body: JSON.stringify(post), contentType: 'application/json' },
    { ...rawRequest('sid=cut', (at += 7)), unreadReasons: [{ field: 'query', problem: 'is 20000 bytes, more than 16384 (kept truncated)' }] },
  ];
  // Late re-deliveries arrive after the originals, with their own times.
  return [...firsts, ...extra, ...repeats.map((r) => ({ ...r, receivedAt: (at += 7) }))].map((raw) => readCallEventRequest(raw).record);
}

async function recordInBatches(store: CallStore, records: CallbackRecord[], size = 16): Promise<void> {
  for (let i = 0; i < records.length; i += size) await store.recordCallbacks(records.slice(i, i + size));
}

async function check(live: CallStore, rebuilt: CallStore) {
  const findings: CheckFinding[] = [];
  const lastRawId = await rebuilt.derivedRows().lastRawRequestId();
  const report = await checkRebuild(live, rebuilt, { lastRawId, onFinding: (f) => findings.push(f) });
  return { report, findings };
}

/** Quarantine replay and rebuild from the raw log: every adapter must pass it. */
export function describeReplayRebuildContract(name: string, open: StoreFactory): void {
  describe(`${name}: quarantine replay and rebuild contract`, () => {
    it('when a delivery an older version refused is replayed, then it becomes the call a fresh delivery makes', async () => {
      const a = await open();
      const b = await open();
      try {
        const values = validCallbackValues({ disconnect_reason: '1001' });
        assert.deepEqual(await a.store.recordCallbacks([refusedByAnOlderVersion(values)]), ['quarantined']);
        const summary = await replayQuarantine(a.store, {}, { dryRun: false });
        assert.deepEqual(summary.counts, { accepted: 1, duplicate: 0, conflict: 0, quarantined: 0 });
        assert.equal(summary.entries[0]?.sid, values.sid);
        assert.deepEqual(await b.store.recordCallbacks([deliveryOf(values, RECEIVED_AT)]), ['accepted']);
        const sid = values.sid ?? '';
        const replayed = await a.store.getCall(sid);
        assert.ok(replayed);
        assert.deepEqual(replayed, await b.store.getCall(sid));
        assert.equal(replayed.received_at, RECEIVED_AT);
        assert.deepEqual((await a.store.listDeliveries(sid)).map((d) => [d.id, d.result, d.received_at]), [[replayed.raw_request_id, 'accepted', RECEIVED_AT]]);
        assert.deepEqual(await a.store.listQuarantine({ limit: 10 }), []);
        const filter = { time_field: 'setup_time' as const };
        assert.deepEqual((await a.store.statsSummary({ filter })).summary, (await b.store.statsSummary({ filter })).summary);
      } finally {
        await a.cleanup();
        await b.cleanup();
      }
    });

    it('when replayed entries repeat a stored call or a still-bad one, then duplicates, conflicts and new reasons follow the live rules', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues();
        await store.recordCallbacks([deliveryOf(values)]);
        const stillBad = validCallbackValues({ type: 'X' });
        await store.recordCallbacks([
          refusedByAnOlderVersion(values, RECEIVED_AT + 1),
          refusedByAnOlderVersion({ ...values, duration: '7' }, RECEIVED_AT + 2),
          refusedByAnOlderVersion(stillBad, RECEIVED_AT + 3),
        ]);
        const summary = await replayQuarantine(store, {}, { dryRun: false });
        assert.deepEqual(summary.entries.map((e) => e.result), ['duplicate', 'conflict', 'quarantined']);
        assert.equal((await store.getCall(values.sid ?? ''))?.conflicts, 1);
        const [left] = await store.listQuarantine({ limit: 10 });
        assert.deepEqual(left?.reasons, [{ field: 'type', problem: "must be 'A' (audio) or 'V' (video)" }]);
        assert.equal(summary.entries[2]?.quarantine_id, left?.id);
      } finally {
        await cleanup();
      }
    });

    it('when another replay took an entry between the read and the transaction, then it is left alone', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues();
        await store.recordCallbacks([refusedByAnOlderVersion(values)]);
        const [raw] = await store.derivedRows().rawRequestsAfter(0, 1);
        assert.ok(raw);
        // What a second process read before the first replay committed.
        const late = { ...readCallEventRequest(raw).record, rawRequestId: raw.id };
        assert.equal((await replayQuarantine(store, {}, { dryRun: false })).counts.accepted, 1);
        assert.deepEqual(await store.recordStoredCallbacks([late], { mode: 'replay' }), ['already_replayed']);
        assert.deepEqual((await store.listDeliveries(values.sid ?? '')).map((d) => d.result), ['accepted']);
        assert.equal((await store.getCall(values.sid ?? ''))?.conflicts, 0);
      } finally {
        await cleanup();
      }
    });

    it('when a replay is a dry run, then it says what would change and writes nothing', async () => {
      const { store, cleanup } = await open();
      try {
        const values = validCallbackValues();
        await store.recordCallbacks([refusedByAnOlderVersion(values), refusedByAnOlderVersion(values, RECEIVED_AT + 5)]);
        const before = await store.listQuarantine({ limit: 10 });
        const lastRaw = await store.derivedRows().rawRequestsAfter(0, 10);
        // Chunks of one: the second entry is decided against the first one's rolled-back call.
        const summary = await replayQuarantine(store, {}, { dryRun: true, chunk: 1 });
        assert.equal(summary.dry_run, true);
        assert.deepEqual(summary.entries.map((e) => e.result), ['accepted', 'duplicate']);
        assert.deepEqual(await store.listQuarantine({ limit: 10 }), before);
        assert.deepEqual(await store.derivedRows().rawRequestsAfter(0, 10), lastRaw);
        assert.equal(await store.getCall(values.sid ?? ''), null);
        assert.equal((await store.statsSummary({ filter: { time_field: 'setup_time' } })).summary.attempts, 0);
      } finally {
        await cleanup();
      }
    });

    it('when a simulator-like load is rebuilt from its raw requests, then --check finds no difference; a second run resumes', async () => {
      const live = await open();
      const target = await open();
      try {
        await recordInBatches(live.store, simulatedLoad());
        const stop = new AbortController();
        const first = await rebuildFromRaw(live.store, target.store, { chunk: 37, signal: stop.signal, onProgress: () => stop.abort() });
        assert.equal(first.done, 37);
        const second = await rebuildFromRaw(live.store, target.store, { chunk: 37 });
        assert.equal(second.resumedFrom, 37);
        assert.equal(second.lastId, await live.store.derivedRows().lastRawRequestId());
        const { report, findings } = await check(live.store, target.store);
        assert.deepEqual(findings, []);
        assert.equal(report.totalDifferences, 0);
        assert.ok(report.compared.calls > 50, `compared ${report.compared.calls} calls`);
        assert.ok(report.compared.quarantine >= 2 && report.compared.rollupRows > 0);
        const quarantined = await target.store.listQuarantine({ limit: 1000 });
        assert.ok(quarantined.some((q) => q.reasons[0]?.problem.includes('kept truncated')));
      } finally {
        await live.cleanup();
        await target.cleanup();
      }
    });

    it('when the rebuild or the live tables are changed afterwards, then --check reports each difference', async () => {
      const live = await open();
      const target = await open();
      try {
        await recordInBatches(live.store, simulatedLoad());
        await rebuildFromRaw(live.store, target.store);
        // An extra call in the rebuild, and a live outcome changed without a new classifier version.
        const extra = validCallbackValues();
        await target.store.recordCallbacks([deliveryOf(extra)]);
        const [victim] = (await live.store.derivedRows().callsAfter(0, 1)).map((c) => c.call);
        assert.ok(victim);
        await live.store.reclassifyCalls({
          classifierVersion: -1,
          classify: (call) => ({ outcome: call.sid === victim.sid ? 'failed' : call.outcome, ended_by: call.ended_by, reason: call.reason, reason_source: call.reason_source, classifier_version: call.classifier_version }),
        });
        const { report, findings } = await check(live.store, target.store);
        assert.equal(report.differences.extra_call, 1);
        assert.ok(findings.some((f) => f.kind === 'extra_call' && f.key === extra.sid));
        const changed = findings.find((f) => f.kind === 'call_field' && f.key === victim.sid);
        assert.ok(changed, JSON.stringify(findings.slice(0, 5)));
        assert.match(changed.detail, /outcome: live "failed"/);
        assert.ok(report.differences.rollup > 0);
        assert.ok(report.differences.raw_result >= 1);
      } finally {
        await live.cleanup();
        await target.cleanup();
      }
    });

    it('when a live call was stored by an older classifier, then --check reports it as classification, not as a difference', async () => {
      const live = await open();
      const target = await open();
      try {
        await recordInBatches(live.store, simulatedLoad().slice(0, 40));
        await rebuildFromRaw(live.store, target.store);
        await live.store.reclassifyCalls({
          classifierVersion: -1,
          classify: (call) => ({ outcome: 'failed', ended_by: call.ended_by, reason: call.reason, reason_source: call.reason_source, classifier_version: 0 }),
        });
        const { report } = await check(live.store, target.store);
        assert.equal(report.totalDifferences, 0);
        assert.ok(report.classification > 0);
      } finally {
        await live.cleanup();
        await target.cleanup();
      }
    });
  });
}
