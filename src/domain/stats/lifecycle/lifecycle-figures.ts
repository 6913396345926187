import { NO_FAIL_REASON } from './lifecycle-contributions.js';
import { percentileOfCounts } from './ms-histogram.js';

/** Counts per counter and value over a window or bucket (the sum of the rollups or of contributions). */
export type LifecycleTotals = Map<string, Map<string, number>>;

/** Adds n to a counter's value. */
export function addTotal(totals: LifecycleTotals, counter: string, value: string, n: number): void {
  let values = totals.get(counter);
  if (values === undefined) totals.set(counter, (values = new Map()));
  values.set(value, (values.get(value) ?? 0) + n);
}

/** Percentiles of a duration in ms; null when there was no value. */
export interface MsPercentiles {
  p50: number | null;
  p99: number | null;
}

/** The answer of `GET /api/stats/lifecycle` without its window (docs/spec/outcomes.md §3.2). */
export interface LifecycleSummary {
  notifies: number;
  notifiesWithEnd: number;
  endCoverage: number | null;
  endMissing: number;
  endsWithoutNotify: number;
  relay: { attempts: number; ok: number; httpError: number; timeout: number; unreachable: number; successRatio: number | null; latencyMs: MsPercentiles };
  setupToNotifyMs: MsPercentiles;
  pushFailures: { total: number; notifyNotReceived: number; pushHandler: number; other: number };
  agentCallStatus: { success: number; fail: number; byFailReason: Array<{ failReason: string | null; count: number }> };
}

/** One bucket of `GET /api/stats/lifecycle/timeseries`, without its start. */
export interface LifecyclePointCounts {
  notifies: number;
  notifiesWithEnd: number;
  endMissing: number;
  relayAttempts: number;
  relayOk: number;
  pushFailures: number;
  agentCallSuccess: number;
  agentCallFail: number;
}

/** The figures of a window from its totals. */
export function summaryOfTotals(totals: LifecycleTotals): LifecycleSummary {
  const n = (counter: string, value = '') => totals.get(counter)?.get(value) ?? 0;
  const sum = (counter: string) => [...(totals.get(counter)?.values() ?? [])].reduce((a, b) => a + b, 0);
  const counts = (counter: string) => new Map([...(totals.get(counter) ?? [])].map(([v, c]) => [Number(v), c]));
  const notifies = n('notifies');
  const notifiesWithEnd = n('notifies_with_end');
  const attempts = sum('relay');
  const ok = n('relay', 'ok');
  const latency = counts('relay_latency');
  const setupToNotify = counts('setup_to_notify');
  const byFailReason = [...(totals.get('fail_reason') ?? [])]
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => ({ failReason: reason === NO_FAIL_REASON ? null : reason, count }))
    .sort((a, b) => b.count - a.count || compareReasons(a.failReason, b.failReason));
  return {
    notifies,
    notifiesWithEnd,
    endCoverage: notifies === 0 ? null : notifiesWithEnd / notifies,
    endMissing: n('end_missing'),
    endsWithoutNotify: n('ends_without_notify'),
    relay: {
      attempts, ok, httpError: n('relay', 'http_error'), timeout: n('relay', 'timeout'), unreachable: n('relay', 'unreachable'),
      successRatio: attempts === 0 ? null : ok / attempts,
      latencyMs: { p50: percentileOfCounts(latency, 0.5), p99: percentileOfCounts(latency, 0.99) },
    },
    setupToNotifyMs: { p50: percentileOfCounts(setupToNotify, 0.5), p99: percentileOfCounts(setupToNotify, 0.99) },
    pushFailures: {
      total: sum('push_failure'),
      notifyNotReceived: n('push_failure', 'notify_not_received'),
      pushHandler: n('push_failure', 'push_handler'),
      other: n('push_failure', 'other'),
    },
    agentCallStatus: { success: n('agent_call_status', 'SUCCESS'), fail: n('agent_call_status', 'FAIL'), byFailReason },
  };
}

/** A bucket's counts from its totals. */
export function pointOfTotals(totals: LifecycleTotals): LifecyclePointCounts {
  const s = summaryOfTotals(totals);
  return {
    notifies: s.notifies,
    notifiesWithEnd: s.notifiesWithEnd,
    endMissing: s.endMissing,
    relayAttempts: s.relay.attempts,
    relayOk: s.relay.ok,
    pushFailures: s.pushFailures.total,
    agentCallSuccess: s.agentCallStatus.success,
    agentCallFail: s.agentCallStatus.fail,
  };
}

/** Reasons in code-unit order, no reason (null) first; the same order in every language and database. */
export function compareReasons(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}
