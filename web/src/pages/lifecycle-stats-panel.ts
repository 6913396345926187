/**
 * The call lifecycle figures of the last 24 hours (GET /api/stats/lifecycle and its
 * timeseries): notifies, end coverage, end missing, the Notify relay, push failures by
 * diagnosis and Agent Call Status, on the "Missing end events" page.
 */
import { apiGet } from '../api.js';
import type { LifecycleSeriesJson, LifecycleStatsJson } from '../api-types.js';
import { lineChart } from '../charts.js';
import { definitionTable, h, replaceChildren } from '../dom.js';
import { formatCount, formatPercent, NO_VALUE } from '../format.js';
import type { Cleanup } from '../main.js';
import { presetWindow } from '../time-range.js';
import { errorBox } from './error-box.js';

/** Milliseconds as the panel writes them: `1,200 ms`, or the missing-value dash. */
export function formatMs(ms: number | null): string {
  return ms === null ? NO_VALUE : `${formatCount(ms)} ms`;
}

/** The KPI cards, each read from the summary answer. */
export const LIFECYCLE_KPIS: ReadonlyArray<{ key: string; label: string; hint: string; value: (a: LifecycleStatsJson) => string }> = [
  { key: 'notifies', label: 'Notifies', hint: 'Notify callbacks received (one per sid)', value: (a) => formatCount(a.notifies) },
  { key: 'endCoverage', label: 'End coverage', hint: 'notifies whose Call Event is stored ÷ notifies', value: (a) => formatPercent(a.endCoverage) },
  { key: 'endMissing', label: 'End missing', hint: 'notifies past the deadline without a Call Event', value: (a) => formatCount(a.endMissing) },
  { key: 'relaySuccess', label: 'Relay success', hint: 'Notify relay attempts answered 2xx ÷ attempts', value: (a) => formatPercent(a.relay.successRatio) },
  { key: 'relayLatency', label: 'Relay latency p50 / p99', hint: 'how long the push handler took', value: (a) => `${formatMs(a.relay.latencyMs.p50)} / ${formatMs(a.relay.latencyMs.p99)}` },
  { key: 'pushFailures', label: 'Push failures', hint: 'calls ended with PUSH_ERROR (1302 / 1020)', value: (a) => formatCount(a.pushFailures.total) },
  { key: 'agentCalls', label: 'Agent calls ok / failed', hint: 'Agent Call Status SUCCESS / FAIL', value: (a) => `${formatCount(a.agentCallStatus.success)} / ${formatCount(a.agentCallStatus.fail)}` },
];

/** Appends the panel to `parent` and loads it; the cleanup aborts the requests and frees the chart. */
export function appendLifecycleStatsPanel(parent: HTMLElement, tz: string): Cleanup {
  const controller = new AbortController();
  const range = presetWindow('24h', Date.now());
  const cards = LIFECYCLE_KPIS.map((k) => ({ kpi: k, value: h('span', { class: 'kpi-value', 'data-lifecycle-kpi': k.key }, '…') }));
  const details = h('div', { 'data-testid': 'lifecycle-details' });
  const chartEl = h('div', { class: 'chart' });
  const error = h('div');
  const section = h('section', { class: 'card panel', 'data-testid': 'lifecycle-stats' },
    h('h2', {}, 'Last 24 hours across callbacks'),
    h('p', { class: 'muted small' }, 'Notify, the relay to your push handler, the Call Event that ends the call, and Agent Call Status (docs/spec/outcomes.md §3).'),
    error,
    h('div', { class: 'kpis' }, ...cards.map((c) => h('div', { class: 'card kpi' }, h('span', { class: 'kpi-label', title: c.kpi.hint }, c.kpi.label), c.value))),
    chartEl,
    details);
  parent.append(section);
  const chart = lineChart(chartEl, [
    { label: 'Notifies', colorVar: '--c-attempts', format: formatCount },
    { label: 'With end', colorVar: '--c-answered', format: formatCount },
    { label: 'End missing', colorVar: '--c-failed', format: formatCount },
  ], tz, (v) => formatCount(v));
  const query = { from: range.from, to: range.to };
  Promise.all([
    apiGet<LifecycleStatsJson>('/api/stats/lifecycle', query, controller.signal),
    apiGet<LifecycleSeriesJson>('/api/stats/lifecycle/timeseries', { ...query, bucket: 'hour', tz }, controller.signal),
  ])
    .then(([summary, series]) => {
      for (const c of cards) c.value.textContent = c.kpi.value(summary);
      replaceChildren(details, detailsOf(summary));
      chart.setData(series.points.map((p) => Math.floor(Date.parse(p.start) / 1000)), [
        series.points.map((p) => p.notifies), series.points.map((p) => p.notifiesWithEnd), series.points.map((p) => p.endMissing),
      ]);
    })
    .catch((e: unknown) => {
      if (!controller.signal.aborted) replaceChildren(error, errorBox(e));
    })
    .finally(() => {
      section.dataset.loaded = 'true';
    });
  return () => {
    controller.abort();
    chart.destroy();
  };
}

/** Push failures by diagnosis, the relay's outcomes, the setup-to-Notify time and the fail reasons. */
function detailsOf(a: LifecycleStatsJson): HTMLElement {
  const p = a.pushFailures;
  const r = a.relay;
  const reasons = a.agentCallStatus.byFailReason.map((f) => `${f.failReason ?? '(no reason)'}: ${formatCount(f.count)}`).join(', ');
  return definitionTable([
    ['Push failures by diagnosis', h('span', { 'data-testid': 'push-failures-by-diagnosis' },
      `Notify not received ${formatCount(p.notifyNotReceived)}, push handler ${formatCount(p.pushHandler)}, other ${formatCount(p.other)}`)],
    ['Relay attempts', `${formatCount(r.attempts)}: ok ${formatCount(r.ok)}, HTTP error ${formatCount(r.httpError)}, timeout ${formatCount(r.timeout)}, unreachable ${formatCount(r.unreachable)}`],
    ['Setup to Notify p50 / p99', `${formatMs(a.setupToNotifyMs.p50)} / ${formatMs(a.setupToNotifyMs.p99)} (two clocks: may be negative)`],
    ['Calls ended without a Notify', formatCount(a.endsWithoutNotify)],
    ['Agent call fail reasons', reasons === '' ? NO_VALUE : reasons],
  ]);
}
