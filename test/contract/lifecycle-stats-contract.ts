import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { type LifecycleSummary, pointOfTotals, summaryOfTotals } from '../../src/domain/stats/lifecycle/lifecycle-figures.js';
import { type LifecycleRows, summarizeLifecycle } from '../../src/domain/stats/lifecycle/summarize-lifecycle.js';
import { bucketBoundaries } from '../../src/domain/stats/time-buckets.js';
import type { CheckFinding } from '../../src/ingest/rebuild/check-findings.js';
import { checkRebuild } from '../../src/ingest/rebuild/check-rebuild.js';
import { rebuildFromRaw } from '../../src/ingest/rebuild/rebuild-from-raw.js';
import type { CallStore, NotifyRelayOutcome } from '../../src/storage/port.js';
import { validAgentCallStatusValues, validCallbackValues, validNotifyValues } from '../fixtures/callback-fixture.js';
import { keyedDeliveryOf } from './call-life-contract.js';
import { deliveryOf, type StoreFactory } from './ingest-contract.js';

/** A whole UTC hour (ms): every figure below is placed after it. */
export const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const MIN = 60_000;
const DEADLINE_MS = 3_600_000;

/** A Call Event set up at `setupMs` (whole seconds), ending normally or with PUSH_ERROR. */
function callValues(sid: string, setupMs: number, end: 'normal' | 'push' | 'legacy-push' = 'normal'): Record<string, string> {
  const s = Math.floor(setupMs / 1000);
  if (end === 'normal') return validCallbackValues({ sid, setup_time: String(s), start_time: String(s + 5), end_time: String(s + 125) });
  const failed = { sid, setup_time: String(s), start_time: '0', end_time: String(s + 30), duration: '0', billing_sec: '0', terminate: '127' };
  return end === 'push'
    ? validCallbackValues({ ...failed, disconnect_reason: '1302', releaser_type: '4' })
    : validCallbackValues({ ...failed, disconnect_reason: undefined, releaser_type: undefined, call_end_reason: '1020', releaser: 'server-1' });
}

/** A small deterministic generator (the same figures on every run and database). */
function prng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

/** Runs one statement on the store's database through a connection of its own (rows for a SELECT). */
async function runSql(store: CallStore, text: string): Promise<Array<Record<string, unknown>>> {
  const own = store as unknown as { dialect: 'sqlite' | 'postgres'; file?: string; pool?: pg.Pool };
  if (own.dialect === 'postgres') return (await (own.pool as pg.Pool).query(text)).rows as Array<Record<string, unknown>>;
  const db = new Database(own.file as string);
  try {
    const statement = db.prepare(text);
    if (!statement.reader) {
      statement.run();
      return [];
    }
    return statement.all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** Reads the stored rows the brute-force definition takes, straight from the database. */
export async function storedRows(store: CallStore): Promise<LifecycleRows> {
  const texts = {
    notifies: 'SELECT sid, received_at, end_missing FROM notifies',
    calls: 'SELECT sid, setup_time, disconnect_reason, call_end_reason FROM calls',
    relays: 'SELECT sid, attempted_at, outcome, latency_ms FROM notify_relays ORDER BY sid, attempted_at, id',
    agentCallStatuses: 'SELECT sid, received_at, result, fail_reason FROM agent_call_statuses',
  };
  const read = (text: string) => runSql(store, text);
  const num = (v: unknown) => (v === null ? null : Number(v));
  return {
    notifies: (await read(texts.notifies)).map((r) => ({ sid: String(r.sid), received_at: Number(r.received_at), end_missing: Number(r.end_missing) === 1 })),
    calls: (await read(texts.calls)).map((r) => ({
      sid: String(r.sid), setup_time: Number(r.setup_time), disconnect_reason: num(r.disconnect_reason), call_end_reason: num(r.call_end_reason),
    })),
    relays: (await read(texts.relays)).map((r) => ({ sid: String(r.sid), attempted_at: Number(r.attempted_at), outcome: String(r.outcome), latency_ms: Number(r.latency_ms) })),
    agentCallStatuses: (await read(texts.agentCallStatuses)).map((r) => ({
      sid: String(r.sid), received_at: Number(r.received_at), result: String(r.result), fail_reason: r.fail_reason === null ? null : String(r.fail_reason),
    })),
  };
}

async function summaryOf(store: CallStore, from: number, to: number): Promise<LifecycleSummary> {
  const [totals] = await store.lifecycleTotals({ from, to, boundaries: [from, to] });
  return summaryOfTotals(totals ?? new Map());
}

/**
 * Stores the life of many calls: Notify with and without its Call Event, a late Call
 * Event after the end_missing sweep, a late Notify after its Call Event, conflicting and
 * duplicate repeats, PUSH_ERROR in both codes with every diagnosis, relay attempts of
 * every outcome, Agent Call Status in mixed case with and without a fail reason; then a
 * few hundred random ones across the six hours after the first.
 */
export async function storeScenario(store: CallStore): Promise<void> {
  const late = validNotifyValues();
  const lateSid = late.sid as string;
  const ended = validNotifyValues();
  const pushHandler = validNotifyValues();
  const legacyOther = validNotifyValues();
  const afterCall = validNotifyValues();
  const lone = validNotifyValues();
  await store.recordCallbacks([
    keyedDeliveryOf('notify', ended, T + MIN),
    keyedDeliveryOf('notify', ended, T + MIN + 10),
    keyedDeliveryOf('notify', { ...ended, param: 'b3RoZXI=' }, T + MIN + 20),
    keyedDeliveryOf('notify', lone, T + 5 * MIN),
    keyedDeliveryOf('notify', late, T + 7 * MIN),
    keyedDeliveryOf('notify', pushHandler, T + 8 * MIN),
    keyedDeliveryOf('notify', legacyOther, T + 9 * MIN),
    deliveryOf(callValues(validCallbackValues().sid as string, T + 3 * MIN, 'push'), T + 4 * MIN),
    deliveryOf(callValues(afterCall.sid as string, T + 16 * MIN), T + 19 * MIN),
    keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ result: 'Success' }), T + 2 * MIN),
    keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ result: 'FAIL', fail_reason: 'NO_MEDIA' }), T + 3 * MIN),
    keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ result: 'fail', fail_reason: 'NO_MEDIA' }), T + 4 * MIN),
    keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ result: 'Fail', fail_reason: undefined }), T + 5 * MIN),
  ]);
  const acs = validAgentCallStatusValues({ result: 'FAIL', fail_reason: 'BUSY_LINE' });
  await store.recordCallbacks([keyedDeliveryOf('agent-call-status', acs, T + 6 * MIN), keyedDeliveryOf('agent-call-status', { ...acs, result: 'SUCCESS' }, T + 6 * MIN + 1)]);
  const relay = (sid: string, at: number, outcome: NotifyRelayOutcome, latency: number) =>
    ({ sid, attempted_at: at, outcome, status: outcome === 'ok' ? 200 : outcome === 'http_error' ? 503 : null, latency_ms: latency, error: outcome === 'ok' ? null : 'x' });
  await store.recordNotifyRelays([
    relay(ended.sid as string, T + MIN + 5, 'ok', 12),
    relay(pushHandler.sid as string, T + 8 * MIN + 3, 'timeout', 3_000),
    relay(legacyOther.sid as string, T + 9 * MIN + 3, 'http_error', 1_234),
  ]);
  await store.recordNotifyRelays([relay(legacyOther.sid as string, T + 9 * MIN + 1_500, 'ok', 157)]);
  await store.recordCallbacks([
    deliveryOf(callValues(ended.sid as string, T + MIN - 2_000), T + 3 * MIN),
    deliveryOf(callValues(pushHandler.sid as string, T + 8 * MIN - 1_000, 'push'), T + 10 * MIN),
    deliveryOf(callValues(legacyOther.sid as string, T + 9 * MIN + 2_000, 'legacy-push'), T + 10 * MIN),
  ]);
  // The sweep, past the deadline: lone and late are flagged; then late's end comes.
  assert.equal(await store.flagEndMissing({ now: T + 2 * 3_600_000, deadlineMs: DEADLINE_MS }), 2);
  await store.recordCallbacks([deliveryOf(callValues(lateSid, T + 7 * MIN - 500), T + 2 * 3_600_000 + 1)]);
  // A Notify after its Call Event: the call is no longer one without Notify.
  await store.recordCallbacks([keyedDeliveryOf('notify', afterCall, T + 20 * MIN)]);

  const random = prng(7);
  const pick = <V>(values: readonly V[]): V => values[Math.floor(random() * values.length)] as V;
  const batch = [];
  const relays = [];
  for (let i = 0; i < 300; i++) {
    const at = T + 3_600_000 + Math.floor(random() * 6 * 60) * MIN + Math.floor(random() * 60_000);
    const notify = validNotifyValues();
    const sid = notify.sid as string;
    const shape = pick(['notify-only', 'notify-call', 'call-only', 'notify-push', 'push-only', 'acs'] as const);
    if (shape !== 'call-only' && shape !== 'push-only' && shape !== 'acs') batch.push(keyedDeliveryOf('notify', notify, at));
    if (shape === 'notify-call' || shape === 'call-only') batch.push(deliveryOf(callValues(sid, at - Math.floor(random() * 4_000)), at + 60_000));
    if (shape === 'notify-push' || shape === 'push-only') batch.push(deliveryOf(callValues(sid, at - 900, pick(['push', 'legacy-push'] as const)), at + 60_000));
    if (shape === 'acs') batch.push(keyedDeliveryOf('agent-call-status', validAgentCallStatusValues({ sid, result: pick(['Success', 'FAIL', 'fail']), fail_reason: pick(['None', 'NO_MEDIA', 'TIMEOUT']) }), at));
    if (shape.startsWith('notify') && random() < 0.7) relays.push(relay(sid, at + 50, pick(['ok', 'ok', 'http_error', 'timeout', 'unreachable'] as const), Math.floor(random() * 5_000)));
  }
  await store.recordCallbacks(batch);
  await store.recordNotifyRelays(relays);
  await store.flagEndMissing({ now: T + 9 * 3_600_000, deadlineMs: DEADLINE_MS });
}

/** The lifecycle statistics contract: the rollup answers equal the brute force on every window and bucket. */
export function describeLifecycleStatsContract(name: string, open: StoreFactory): void {
  describe(`${name}: call lifecycle statistics`, () => {
    it('when calls live through Notify, relay, sweep, late ends and repeats, then every window and bucket equals the brute-force definition', async () => {
      const { store, cleanup } = await open();
      try {
        await storeScenario(store);
        const rows = await storedRows(store);
        const first = await summaryOf(store, T / 1000, T / 1000 + 3600);
        // The fixed cases, read by hand: the definitions hold, not only the agreement.
        assert.equal(first.endMissing, 1, 'lone is missing; late is not, its end came after the flag');
        assert.equal(first.pushFailures.notifyNotReceived >= 1 && first.pushFailures.pushHandler >= 1 && first.pushFailures.other >= 1, true);
        assert.ok(first.agentCallStatus.success >= 1 && first.agentCallStatus.byFailReason.some((r) => r.failReason === 'NO_MEDIA' && r.count >= 2));
        assert.ok(first.agentCallStatus.byFailReason.some((r) => r.failReason === null));

        const windows: Array<[number, number]> = [
          [T / 1000, T / 1000 + 7 * 3600 + 900], // whole quarter-hours
          [T / 1000 + 7 * 60 + 13, T / 1000 + 3 * 3600 + 2 * 60 + 1], // edges off the quarter-hours
          [T / 1000 + 61, T / 1000 + 599], // inside one quarter-hour
          [T / 1000 - 3600, T / 1000 + 20 * 60 + 1],
        ];
        for (const [from, to] of windows) {
          assert.deepEqual(await summaryOf(store, from, to), summarizeLifecycle(rows, from * 1000, to * 1000), `window ${from}..${to}`);
        }
        for (const [bucket, tz] of [['hour', 'Asia/Kolkata'], ['minute', 'UTC'], ['day', 'Asia/Tokyo']] as const) {
          const from = T / 1000 + 7 * 60 + 13;
          const to = T / 1000 + 5 * 3600 + 1;
          const boundaries = bucketBoundaries(from, to, bucket, tz) as number[];
          const totals = await store.lifecycleTotals({ from, to, boundaries, pointsOnly: true });
          const expected = boundaries.slice(0, -1).map((b, i) => {
            const s = summarizeLifecycle(rows, Math.max(b, from) * 1000, Math.min(boundaries[i + 1] as number, to) * 1000);
            return {
              notifies: s.notifies, notifiesWithEnd: s.notifiesWithEnd, endMissing: s.endMissing, relayAttempts: s.relay.attempts,
              relayOk: s.relay.ok, pushFailures: s.pushFailures.total, agentCallSuccess: s.agentCallStatus.success, agentCallFail: s.agentCallStatus.fail,
            };
          });
          assert.deepEqual(totals.map(pointOfTotals), expected, `${bucket} in ${tz}`);
        }
      } finally {
        await cleanup();
      }
    });

    it('when the database is rebuilt from its raw requests, then --check finds the lifecycle rollups equal, and a changed count as a difference', async () => {
      const live = await open();
      const rebuilt = await open();
      try {
        await storeScenario(live.store);
        await rebuildFromRaw(live.store, rebuilt.store);
        const check = async () => {
          const findings: CheckFinding[] = [];
          const report = await checkRebuild(live.store, rebuilt.store, { lastRawId: await rebuilt.store.derivedRows().lastRawRequestId(), onFinding: (f) => findings.push(f) });
          return { report, lifecycle: findings.filter((f) => f.key.startsWith('lifecycle ')) };
        };
        const before = await check();
        assert.deepEqual(before.lifecycle, []);
        assert.equal(before.report.totalDifferences, 0);
        await runSql(live.store, `UPDATE lifecycle_rollups SET n = n + 1 WHERE counter = 'notifies' AND slot = ${T / 1000}`);
        const after = await check();
        assert.deepEqual(after.lifecycle.map((f) => [f.kind, f.key, f.detail]), [['rollup', 'lifecycle 2026-01-01T00:00:00.000Z notifies', 'n: live 6, rebuilt 5']]);
      } finally {
        await live.cleanup();
        await rebuilt.cleanup();
      }
    });

    it('when nothing is stored, then counts are 0 and ratios and percentiles null', async () => {
      const { store, cleanup } = await open();
      try {
        const s = await summaryOf(store, T / 1000, T / 1000 + 3600);
        assert.equal(s.notifies, 0);
        assert.equal(s.endCoverage, null);
        assert.equal(s.relay.successRatio, null);
        assert.deepEqual(s.relay.latencyMs, { p50: null, p99: null });
        assert.deepEqual(s.agentCallStatus.byFailReason, []);
      } finally {
        await cleanup();
      }
    });
  });
}
