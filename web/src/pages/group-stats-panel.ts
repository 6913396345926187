/**
 * Group calls on the overview: the group figures (docs/spec/group-calls.md §4) of the
 * overview's window from GET /api/stats/group and its time series: sessions, participant
 * minutes, participants, join failures and drops, a chart of sessions and stays per bucket,
 * and the reasons behind drops and failed joins.
 */
import { apiGet } from '../api.js';
import type { GroupFigures, GroupSeriesJson, GroupStatsJson } from '../api-types.js';
import { lineChart } from '../charts.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatDuration, formatPercent, NO_VALUE } from '../format.js';
import { routeHash } from '../router.js';
import { bucketFor, type TimeWindow } from '../time-range.js';
import { errorBox } from './error-box.js';

/** The group KPI cards, each read from the summary. */
export const GROUP_KPIS: ReadonlyArray<{ key: string; label: string; hint: string; value: (f: GroupFigures) => string }> = [
  { key: 'sessions', label: 'Group calls', hint: 'room sessions started in the range', value: (f) => formatCount(f.sessions) },
  { key: 'participant_minutes', label: 'Participant minutes', hint: 'time in rooms, summed over every participant stay', value: (f) => formatCount(Math.round(f.participant_minutes)) },
  { key: 'avg_participants', label: 'Participants per call', hint: 'distinct participants who joined, on average', value: (f) => (f.avg_participants === null ? NO_VALUE : f.avg_participants.toFixed(1)) },
  { key: 'peak_participants', label: 'Largest room', hint: "most participants online at once in one room (LINE Planet's online count)", value: (f) => formatCount(f.peak_participants) },
  { key: 'join_failure_rate', label: 'Failed joins', hint: 'stays that never connected ÷ stays', value: (f) => formatPercent(f.join_failure_rate) },
  { key: 'drop_rate', label: 'Drop rate', hint: '(dropped + timed out) ÷ joined stays that ended', value: (f) => formatPercent(f.drop_rate) },
  { key: 'stay_duration_p50_sec', label: 'Median stay', hint: 'p50 of joined stays', value: (f) => formatDuration(f.stay_duration_p50_sec) },
  { key: 'sessions_end_missing', label: 'End missing', hint: 'rooms without an end event past GROUP_END_DEADLINE', value: (f) => formatCount(f.sessions_end_missing) },
];

/** The panel: its element, a load for a window, and what frees its chart. */
export interface GroupStatsPanel {
  element: HTMLElement;
  load(window: TimeWindow, signal: AbortSignal): Promise<void>;
  destroy(): void;
}

/** The group calls panel of the overview, in the dashboard's time zone. */
export function groupStatsPanel(tz: string): GroupStatsPanel {
  const cards = GROUP_KPIS.map((k) => ({ kpi: k, value: h('span', { class: 'kpi-value', 'data-group-kpi': k.key }, '…') }));
  const chartEl = h('div', { class: 'chart' });
  const reasons = h('div', { class: 'grid-2', 'data-testid': 'group-reasons' });
  const error = h('div');
  const listLink = h('a', { href: routeHash('/group-calls', {}) }, 'Group calls');
  const element = h('section', { class: 'card panel', 'data-testid': 'group-stats' },
    h('h2', {}, 'Group calls'),
    h('p', { class: 'muted small' }, 'Rooms started in the range, their participants and why stays ended (docs/spec/group-calls.md §4). Each room: ', listLink, '.'),
    error,
    h('div', { class: 'kpis' }, ...cards.map((c) => h('div', { class: 'card kpi' }, h('span', { class: 'kpi-label', title: c.kpi.hint }, c.kpi.label), c.value))),
    chartEl,
    reasons);
  const chart = lineChart(chartEl, [
    { label: 'Group calls', colorVar: '--c-attempts', format: formatCount },
    { label: 'Stays', colorVar: '--c-answered', format: formatCount },
    { label: 'Dropped and timed out', colorVar: '--c-failed', format: formatCount },
  ], tz, (v) => formatCount(v));

  async function load(window: TimeWindow, signal: AbortSignal): Promise<void> {
    // The group statistics take Unix milliseconds; the overview's window is in seconds.
    const query = { from: window.from * 1000, to: window.to * 1000 };
    listLink.setAttribute('href', routeHash('/group-calls', query));
    try {
      const [summary, series] = await Promise.all([
        apiGet<GroupStatsJson>('/api/stats/group', query, signal),
        apiGet<GroupSeriesJson>('/api/stats/group/timeseries', { ...query, bucket: bucketFor(window), tz }, signal),
      ]);
      replaceChildren(error);
      for (const c of cards) c.value.textContent = c.kpi.value(summary.summary);
      chart.setData(series.items.map((i) => i.bucket_start), [
        series.items.map((i) => i.sessions), series.items.map((i) => i.stays), series.items.map((i) => i.dropped + i.timed_out),
      ]);
      replaceChildren(reasons,
        reasonTable('Why stays dropped', 'drops', summary.summary.drops_by_reason),
        reasonTable('Why joins failed', 'join-failures', summary.summary.join_failures_by_reason));
    } catch (caught: unknown) {
      if (!signal.aborted) replaceChildren(error, errorBox(caught));
    }
  }

  return { element, load, destroy: () => chart.destroy() };
}

/** Stays per reason, largest first (no reason: "none given"). */
function reasonTable(title: string, kind: string, items: GroupFigures['drops_by_reason']): HTMLElement {
  const body = items.length === 0
    ? h('p', { class: 'muted' }, 'None in this range.')
    : h('table', { class: 'data compact' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col', class: 'num' }, 'Stays'))),
      h('tbody', {}, ...items.slice(0, 8).map((item) => h('tr', { 'data-reason': item.reason ?? '' },
        h('td', {}, item.reason === null ? h('span', { class: 'muted' }, 'none given') : h('code', {}, item.reason)),
        h('td', { class: 'num' }, formatCount(item.count))))));
  return h('div', { 'data-group-reasons': kind }, h('h3', {}, title), body);
}
