import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contributionsOf } from './lifecycle-contributions.js';
import type { LifecycleFacts } from './lifecycle-facts.js';
import { addTotal, type LifecycleTotals, summaryOfTotals } from './lifecycle-figures.js';
import { percentileOfCounts, roundMs } from './ms-histogram.js';
import { type LifecycleRows, summarizeLifecycle } from './summarize-lifecycle.js';

const T = 1_767_225_600_000;

/** The rows of one sid's facts, as the database holds them. */
function rowsOf(facts: readonly LifecycleFacts[]): LifecycleRows {
  return {
    notifies: facts.flatMap((f) => (f.notify === null ? [] : [{ sid: f.sid, received_at: f.notify.receivedAt, end_missing: f.notify.endMissing }])),
    calls: facts.flatMap((f) => (f.call === null ? [] : [{ sid: f.sid, setup_time: f.call.setupTime, disconnect_reason: f.call.disconnectReason, call_end_reason: f.call.callEndReason }])),
    relays: facts.flatMap((f) => f.relays.map((r) => ({ sid: f.sid, attempted_at: r.attemptedAt, outcome: r.outcome, latency_ms: r.latencyMs }))),
    agentCallStatuses: facts.flatMap((f) => (f.agentCallStatus === null ? [] : [{ sid: f.sid, received_at: f.agentCallStatus.receivedAt, result: f.agentCallStatus.result, fail_reason: f.agentCallStatus.failReason }])),
  };
}

const at = fc.integer({ min: T, max: T + 3 * 3_600_000 });
const factsArb = fc.uniqueArray(
  fc.record({
    sid: fc.uuid(),
    notify: fc.option(fc.record({ receivedAt: at, endMissing: fc.boolean() }), { nil: null }),
    call: fc.option(fc.record({
      setupTime: fc.integer({ min: T / 1000 - 60, max: T / 1000 + 3 * 3600 }),
      disconnectReason: fc.constantFrom(null, 1001, 1302),
      callEndReason: fc.constantFrom(null, 1005, 1020),
    }), { nil: null }),
    relays: fc.array(fc.record({ attemptedAt: at, outcome: fc.constantFrom('ok', 'http_error', 'timeout', 'unreachable'), latencyMs: fc.integer({ min: 0, max: 20_000 }) }), { maxLength: 3 })
      .map((rs) => [...rs].sort((a, b) => a.attemptedAt - b.attemptedAt)),
    agentCallStatus: fc.option(fc.record({ receivedAt: at, result: fc.constantFrom('SUCCESS', 'FAIL'), failReason: fc.constantFrom(null, 'NO_MEDIA', 'BUSY') }), { nil: null }),
  }),
  { selector: (f) => f.sid, maxLength: 40 },
);

describe('call lifecycle figures (docs/spec/outcomes.md §3)', () => {
  it('when a duration is rounded, then it keeps two significant digits toward zero and is exact under 100 ms', () => {
    assert.deepEqual([0, 7, 99, 100, 109, 1234, 99_999, -1234, -57].map(roundMs), [0, 7, 99, 100, 100, 1200, 99_000, -1200, -57]);
  });

  it('when percentiles are read from counts, then they are the nearest-rank ones of the values', () => {
    assert.equal(percentileOfCounts(new Map([[10, 1], [20, 1], [30, 2]]), 0.5), 20);
    assert.equal(percentileOfCounts(new Map([[10, 1], [20, 1], [30, 2]]), 0.99), 30);
    assert.equal(percentileOfCounts(new Map(), 0.5), null);
  });

  it('when a Notify has its end, another is flagged missing, a call ended in PUSH_ERROR and an Agent Call Status failed, then each figure counts them', () => {
    const rows: LifecycleRows = {
      notifies: [{ sid: 'a', received_at: T + 1000, end_missing: false }, { sid: 'b', received_at: T + 2000, end_missing: true }, { sid: 'p', received_at: T + 3000, end_missing: false }],
      calls: [{ sid: 'a', setup_time: T / 1000, disconnect_reason: 1001, call_end_reason: null }, { sid: 'p', setup_time: T / 1000 + 2, disconnect_reason: 1302, call_end_reason: null },
        { sid: 'q', setup_time: T / 1000 + 4, disconnect_reason: null, call_end_reason: 1020 }],
      relays: [{ sid: 'p', attempted_at: T + 3010, outcome: 'ok', latency_ms: 40 }, { sid: 'p', attempted_at: T + 3100, outcome: 'timeout', latency_ms: 3000 }],
      agentCallStatuses: [{ sid: 's', received_at: T + 10, result: 'Success', fail_reason: null }, { sid: 'f', received_at: T + 20, result: 'FAIL', fail_reason: null }],
    };
    const s = summarizeLifecycle(rows, T, T + 3_600_000);
    assert.equal(s.notifies, 3);
    assert.equal(s.notifiesWithEnd, 2);
    assert.equal(s.endCoverage, 2 / 3);
    assert.equal(s.endMissing, 1);
    assert.equal(s.endsWithoutNotify, 1);
    assert.deepEqual(s.setupToNotifyMs, { p50: 1000, p99: 1000 });
    assert.deepEqual(s.relay, { attempts: 2, ok: 1, httpError: 0, timeout: 1, unreachable: 0, successRatio: 0.5, latencyMs: { p50: 40, p99: 3000 } });
    assert.deepEqual(s.pushFailures, { total: 2, notifyNotReceived: 1, pushHandler: 1, other: 0 });
    assert.deepEqual(s.agentCallStatus, { success: 1, fail: 1, byFailReason: [{ failReason: null, count: 1 }] });
  });

  it('when every sid contributes its counts, then the totals give the brute-force figures of any window (the rollups sum the same)', () => {
    fc.assert(
      fc.property(factsArb, fc.integer({ min: 0, max: 3 * 3600 }), fc.integer({ min: 1, max: 3 * 3600 }), (facts, offset, length) => {
        const from = T + offset * 1000;
        const to = from + length * 1000;
        const totals: LifecycleTotals = new Map();
        for (const f of facts) {
          for (const c of contributionsOf(f)) if (c.at >= from && c.at < to) addTotal(totals, c.counter, c.value, 1);
        }
        assert.deepEqual(summaryOfTotals(totals), summarizeLifecycle(rowsOf(facts), from, to));
      }),
      { numRuns: 200 },
    );
  });
});
