import { endedWithPushError } from '../../lifecycle/push-diagnosis.js';
import { compareReasons, type LifecycleSummary } from './lifecycle-figures.js';
import { roundMs } from './ms-histogram.js';
import { nearestRank } from '../percentile.js';

/** The stored rows the lifecycle figures are defined over (times as stored: ms, setup_time in seconds). */
export interface LifecycleRows {
  notifies: ReadonlyArray<{ sid: string; received_at: number; end_missing: boolean }>;
  calls: ReadonlyArray<{ sid: string; setup_time: number; disconnect_reason: number | null; call_end_reason: number | null }>;
  /** In the order attempted (attempted_at, then id). */
  relays: ReadonlyArray<{ sid: string; attempted_at: number; outcome: string; latency_ms: number }>;
  agentCallStatuses: ReadonlyArray<{ sid: string; received_at: number; result: string; fail_reason: string | null }>;
}

/**
 * The brute-force definition of every lifecycle figure (docs/spec/outcomes.md §3) over a
 * window [fromMs, toMs): a straight reading of the rules over the rows, for tests to
 * compare the rollups with. Slow on purpose: nothing is kept between calls.
 */
export function summarizeLifecycle(rows: LifecycleRows, fromMs: number, toMs: number): LifecycleSummary {
  const inWindow = (ms: number) => ms >= fromMs && ms < toMs;
  const callOf = new Map(rows.calls.map((c) => [c.sid, c]));
  const notified = new Set(rows.notifies.map((n) => n.sid));
  const notifies = rows.notifies.filter((n) => inWindow(n.received_at));
  const withEnd = notifies.filter((n) => callOf.has(n.sid));
  const setupToNotify = withEnd.map((n) => roundMs(n.received_at - (callOf.get(n.sid)?.setup_time ?? 0) * 1000)).sort((a, b) => a - b);

  const relays = rows.relays.filter((r) => inWindow(r.attempted_at));
  const latencies = relays.map((r) => roundMs(r.latency_ms)).sort((a, b) => a - b);
  const outcome = (o: string) => relays.filter((r) => r.outcome === o).length;

  const calls = rows.calls.filter((c) => inWindow(c.setup_time * 1000));
  const pushFailed = calls.filter((c) => endedWithPushError(c));
  const lastRelay = (sid: string) => rows.relays.filter((r) => r.sid === sid).at(-1)?.outcome;
  const verdicts = pushFailed.map((c) => {
    if (!notified.has(c.sid)) return 'notify_not_received';
    const last = lastRelay(c.sid);
    return last !== undefined && last !== 'ok' ? 'push_handler' : 'other';
  });

  const statuses = rows.agentCallStatuses.filter((s) => inWindow(s.received_at));
  const failed = statuses.filter((s) => s.result.toUpperCase() === 'FAIL');
  const reasons = new Map<string | null, number>();
  for (const s of failed) reasons.set(s.fail_reason, (reasons.get(s.fail_reason) ?? 0) + 1);

  return {
    notifies: notifies.length,
    notifiesWithEnd: withEnd.length,
    endCoverage: notifies.length === 0 ? null : withEnd.length / notifies.length,
    endMissing: notifies.filter((n) => n.end_missing).length,
    endsWithoutNotify: calls.filter((c) => !notified.has(c.sid)).length,
    relay: {
      attempts: relays.length,
      ok: outcome('ok'),
      httpError: outcome('http_error'),
      timeout: outcome('timeout'),
      unreachable: outcome('unreachable'),
      successRatio: relays.length === 0 ? null : outcome('ok') / relays.length,
      latencyMs: { p50: nearestRank(latencies, 0.5), p99: nearestRank(latencies, 0.99) },
    },
    setupToNotifyMs: { p50: nearestRank(setupToNotify, 0.5), p99: nearestRank(setupToNotify, 0.99) },
    pushFailures: {
      total: pushFailed.length,
      notifyNotReceived: verdicts.filter((v) => v === 'notify_not_received').length,
      pushHandler: verdicts.filter((v) => v === 'push_handler').length,
      other: verdicts.filter((v) => v === 'other').length,
    },
    agentCallStatus: {
      success: statuses.filter((s) => s.result.toUpperCase() === 'SUCCESS').length,
      fail: failed.length,
      byFailReason: [...reasons].map(([failReason, count]) => ({ failReason, count }))
        .sort((a, b) => b.count - a.count || compareReasons(a.failReason, b.failReason)),
    },
  };
}
