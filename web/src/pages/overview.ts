/**
 * The overview: KPI cards against the previous period, time series, breakdowns and a
 * duration histogram for a time range, refreshed every few seconds while live.
 */
import { apiGet, type Params } from '../api.js';
import type { BreakdownAnswer, BreakdownBy, Figures, SummaryAnswer, TimeseriesAnswer } from '../api-types.js';
import { barChart, lineChart } from '../charts.js';
import { h, replaceChildren } from '../dom.js';
import { formatChange, formatCount, formatDuration, formatMinutes, formatPercent, formatTime } from '../format.js';
import { durationBins } from '../duration-histogram.js';
import { breakdownLabel } from '../labels.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import {
  bucketFor, isPreset, presetWindow, previousWindow, type Preset, type TimeWindow, unixToZonedInput, zonedInputToUnix,
} from '../time-range.js';
import { isFewCalls, isTooFewToCompare, MIN_RATIO_CALLS, ratioCalls, TOO_FEW_PREVIOUS, volumeNote } from '../volume.js';
import { errorBox } from './error-box.js';
import { groupStatsPanel } from './group-stats-panel.js';

/** Most reasons the failure table lists. */
export const TOP_REASONS = 10;
/** The breakdown API's largest page: every reason, so that the ranking by failures is complete. */
const MAX_BREAKDOWN_LIMIT = 1000;

/** Seconds between live refreshes, unless the URL says otherwise (`refresh=`). */
export const DEFAULT_REFRESH_SECONDS = 5;

interface Kpi {
  key: keyof Figures;
  label: string;
  hint: string;
  format: (v: number | null) => string;
  change: 'count' | 'ratio';
  /** Which direction is good news; null when neither is. */
  better: 'up' | 'down' | null;
}

/** The KPI cards, in order. */
export const KPIS: readonly Kpi[] = [
  { key: 'attempts', label: 'Attempts', hint: 'calls set up', format: formatCount, change: 'count', better: null },
  { key: 'asr', label: 'ASR', hint: 'answered ÷ attempts', format: formatPercent, change: 'ratio', better: 'up' },
  { key: 'ner', label: 'NER', hint: '(attempts − failed) ÷ attempts', format: formatPercent, change: 'ratio', better: 'up' },
  { key: 'drop_rate', label: 'Drop rate', hint: 'dropped ÷ answered', format: formatPercent, change: 'ratio', better: 'down' },
  { key: 'acd_sec', label: 'ACD', hint: 'average answered call', format: formatDuration, change: 'count', better: null },
  { key: 'total_billing_sec', label: 'Billed minutes', hint: 'sum of billing_sec', format: formatMinutes, change: 'count', better: null },
  { key: 'peak_concurrency', label: 'Peak concurrency', hint: 'most calls talking at once', format: formatCount, change: 'count', better: null },
];

const PRESET_LABELS: Record<Preset, string> = { '1h': 'Last hour', '24h': '24 h', '7d': '7 days', '30d': '30 days' };

export function renderOverview(view: HTMLElement, params: URLSearchParams): Cleanup {
  const tz = timeZone();
  const rangeParam = params.get('range');
  const preset: Preset | 'custom' = rangeParam === 'custom' ? 'custom' : isPreset(rangeParam) ? rangeParam : '24h';
  const customFrom = Number(params.get('from'));
  const customTo = Number(params.get('to'));
  const live = preset !== 'custom' && params.get('live') !== '0';
  const refreshSeconds = Math.min(300, Math.max(1, Number(params.get('refresh')) || DEFAULT_REFRESH_SECONDS));
  const windowNow = (): TimeWindow =>
    preset === 'custom' && customTo > customFrom ? { from: customFrom, to: customTo } : presetWindow(preset === 'custom' ? '24h' : preset, Date.now());

  const hashWith = (changes: Record<string, string | number | null>) => {
    const next = Object.fromEntries(params.entries()) as Record<string, string | number | null>;
    return routeHash('/overview', { ...next, ...changes });
  };

  // Controls
  const presetLinks = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time range' },
    ...(Object.keys(PRESET_LABELS) as Preset[]).map((p) =>
      h('a', { href: hashWith({ range: p, from: null, to: null }), 'aria-current': p === preset ? 'true' : false }, PRESET_LABELS[p])),
    h('a', { href: hashWith({ range: 'custom', from: windowNow().from, to: windowNow().to }), 'aria-current': preset === 'custom' ? 'true' : false }, 'Custom'),
  );
  const start = windowNow();
  const fromInput = h('input', { type: 'datetime-local', name: 'from', value: unixToZonedInput(start.from, tz), required: true });
  const toInput = h('input', { type: 'datetime-local', name: 'to', value: unixToZonedInput(start.to, tz), required: true });
  const customForm = h('form', { class: 'custom-range', hidden: preset !== 'custom' },
    h('label', {}, 'From ', fromInput), h('label', {}, 'To ', toInput), h('button', { type: 'submit' }, 'Apply'));
  customForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const from = zonedInputToUnix(fromInput.value, tz);
    const to = zonedInputToUnix(toInput.value, tz);
    if (from !== null && to !== null && to > from) location.hash = hashWith({ range: 'custom', from, to });
  });
  const liveBox = h('input', { type: 'checkbox', name: 'live', checked: live, disabled: preset === 'custom' });
  liveBox.addEventListener('change', () => {
    location.hash = hashWith({ live: liveBox.checked ? null : '0' });
  });
  const rangeText = h('p', { class: 'muted', 'data-testid': 'range-text' });
  const updated = h('span', { class: 'muted', 'data-testid': 'updated' });

  // KPI cards
  const cards = KPIS.map((k) => ({
    kpi: k,
    value: h('span', { class: 'kpi-value', 'data-kpi': k.key }, '…'),
    volume: h('span', { class: 'kpi-volume', 'data-volume': k.key }),
    change: h('span', { class: 'kpi-change', 'data-change': k.key }),
  }));
  const kpiGrid = h('section', { class: 'kpis', 'aria-label': 'Key figures' },
    ...cards.map((c) => h('div', { class: 'card kpi' }, h('span', { class: 'kpi-label', title: c.kpi.hint }, c.kpi.label), c.value, c.volume, c.change)));
  const kpiError = h('div');

  // Panels
  const volumeChartEl = h('div', { class: 'chart' });
  const asrChartEl = h('div', { class: 'chart' });
  const histChartEl = h('div', { class: 'chart' });
  const panel = (title: string, note: string | null, ...body: Array<Node>) =>
    h('section', { class: 'card panel' }, h('h2', {}, title), note === null ? null : h('p', { class: 'muted small' }, note), ...body);
  const seriesError = h('div');
  const outcomeBody = h('div', { 'data-breakdown': 'outcome' });
  const reasonBody = h('div', { 'data-breakdown': 'reason' });
  const endedByBody = h('div', { 'data-breakdown': 'ended_by' });
  const typeBody = h('div', { 'data-breakdown': 'type' });
  const histTable = h('div', { 'data-testid': 'histogram' });
  const groups = groupStatsPanel(tz);

  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Overview'), presetLinks,
      h('label', { class: 'live' }, liveBox, ` Live (every ${refreshSeconds} s) `), updated),
    customForm,
    rangeText,
    kpiError,
    kpiGrid,
    h('div', { class: 'grid-2' },
      panel('Attempts, answered and failed', null, seriesError, volumeChartEl),
      panel('ASR', `answered ÷ attempts per bucket; faded dots: buckets with fewer than ${MIN_RATIO_CALLS} calls`, asrChartEl)),
    h('div', { class: 'grid-3' },
      panel('Outcomes', null, outcomeBody),
      panel('Top reasons for failed and dropped calls', null, reasonBody),
      panel('Who ended calls', null, endedByBody)),
    h('div', { class: 'grid-2' },
      panel('Audio and video', null, typeBody),
      panel('Duration of answered calls', 'Share of answered calls per duration range; the ranges end at 10 s (short calls) and at the p50, p90 and p99 durations of the summary.', histChartEl, histTable)),
    groups.element,
  );

  const volumeChart = lineChart(volumeChartEl, [
    { label: 'Attempts', colorVar: '--c-attempts', format: formatCount },
    { label: 'Answered', colorVar: '--c-answered', format: formatCount },
    { label: 'Failed', colorVar: '--c-failed', format: formatCount },
  ], tz, (v) => formatCount(v));
  const asrFormat = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}%`);
  const asrChart = lineChart(asrChartEl, [
    { label: 'ASR', colorVar: '--c-answered', format: asrFormat },
    { label: `ASR, under ${MIN_RATIO_CALLS} calls`, colorVar: '--c-answered', format: asrFormat, faded: true },
  ], tz, (v) => `${v}%`, [0, 100]);
  const histChart = barChart(histChartEl, 'Answered calls', '--c-attempts', formatPercent);
  const charts: Array<{ destroy(): void }> = [volumeChart, asrChart, histChart, groups];

  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let generation = 0;

  async function refresh(): Promise<void> {
    controller = new AbortController();
    const signal = controller.signal;
    const w = windowNow();
    const prev = previousWindow(w);
    const base: Params = { from: w.from, to: w.to, tz };
    rangeText.textContent = `Calls set up from ${formatTime(w.from, tz)} to ${formatTime(w.to, tz)} (${tz}), compared with the ${describeLength(w.to - w.from)} before.`;
    const get = <T>(path: string, p: Params) => apiGet<T>(path, p, signal);
    const breakdown = (by: BreakdownBy, target: HTMLElement, extra: Params = {}) =>
      get<BreakdownAnswer>('/api/stats/breakdown', { ...base, by, limit: 10, ...extra })
        .then((answer) => replaceChildren(target, breakdownTable(answer)))
        .catch((error: unknown) => replaceChildren(target, errorBox(error)));
    // In order of importance: the server answers statistics one query at a time (SQLite),
    // so the KPI cards (and the histogram, made from the same summary) come first.
    const kpis = () =>
      Promise.all([get<SummaryAnswer>('/api/stats/summary', base), get<SummaryAnswer>('/api/stats/summary', { ...base, from: prev.from, to: prev.to })])
        .then(([current, previous]) => {
          replaceChildren(kpiError);
          fillKpis(current.summary, previous.summary);
          const bins = durationBins(current.summary);
          histChart.setBars(bins.map((b) => b.label), bins.map((b) => b.share));
          replaceChildren(histTable, histogramTable(bins));
        })
        .catch((error: unknown) => replaceChildren(kpiError, errorBox(error)));
    const series = () =>
      get<TimeseriesAnswer>('/api/stats/timeseries', { ...base, bucket: bucketFor(w) })
        .then((answer) => {
          replaceChildren(seriesError);
          const x = answer.items.map((i) => i.bucket_start);
          volumeChart.setData(x, [answer.items.map((i) => i.attempts), answer.items.map((i) => i.answered), answer.items.map((i) => i.failed)]);
          // A bucket of one or two calls reads 0 % or 100 %: such buckets are faded dots, apart from the line.
          const asrOf = (i: (typeof answer.items)[number], few: boolean) => (i.asr === null || isFewCalls(i.attempts) !== few ? null : i.asr * 100);
          asrChart.setData(x, [answer.items.map((i) => asrOf(i, false)), answer.items.map((i) => asrOf(i, true))]);
          asrChartEl.dataset.fewCallBuckets = String(answer.items.filter((i) => i.asr !== null && isFewCalls(i.attempts)).length);
          asrChartEl.dataset.plainBuckets = String(answer.items.filter((i) => i.asr !== null && !isFewCalls(i.attempts)).length);
        })
        .catch((error: unknown) => replaceChildren(seriesError, errorBox(error)));
    const breakdowns = () => Promise.all([
      breakdown('outcome', outcomeBody),
      // All reasons (the rollups answer this fast), ranked here by failed + dropped calls.
      get<BreakdownAnswer>('/api/stats/breakdown', { ...base, by: 'reason', limit: MAX_BREAKDOWN_LIMIT })
        .then((answer) => replaceChildren(reasonBody, failureReasonTable(answer)))
        .catch((error: unknown) => replaceChildren(reasonBody, errorBox(error))),
      breakdown('ended_by', endedByBody),
      breakdown('type', typeBody),
    ]);
    // Group calls last: the 1-to-1 figures are what most users open the overview for.
    const groupFigures = () => groups.load(w, signal);
    for (const step of [kpis, series, breakdowns, groupFigures]) {
      if (signal.aborted) return;
      await step();
    }
    if (signal.aborted) return;
    generation += 1;
    view.dataset.generation = String(generation);
    updated.textContent = `updated ${formatTime(Math.floor(Date.now() / 1000), tz).slice(11)}`;
  }

  function fillKpis(current: Figures, previous: Figures): void {
    const tooFew = isTooFewToCompare(previous.attempts, current.attempts);
    for (const c of cards) {
      const now = current[c.kpi.key];
      const before = previous[c.kpi.key];
      c.value.textContent = c.kpi.format(now);
      const calls = ratioCalls(c.kpi.key, current);
      const few = isFewCalls(calls);
      c.value.classList.toggle('few', few);
      c.volume.textContent = few ? volumeNote(calls) : '';
      c.volume.title = few ? `fewer than ${MIN_RATIO_CALLS} calls: too few for a steady ratio` : '';
      const change = formatChange(now, before, c.kpi.change);
      const direction = tooFew ? 'none' : change.direction;
      c.change.textContent = tooFew ? TOO_FEW_PREVIOUS : change.direction === 'none' ? 'no previous data' : `${change.text} vs previous`;
      c.change.className = `kpi-change ${direction} ${judge(direction, c.kpi.better)}`;
      c.change.title = `previous period: ${c.kpi.format(before)} (${formatCount(previous.attempts)} attempts)`;
    }
  }

  async function loop(): Promise<void> {
    await refresh();
    if (!stopped && live) timer = setTimeout(() => void loop(), refreshSeconds * 1000);
  }
  void loop();

  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    controller?.abort();
    for (const chart of charts) chart.destroy();
  };
}

function judge(direction: string, better: Kpi['better']): string {
  if (better === null || direction === 'flat' || direction === 'none') return '';
  return direction === better ? 'good' : 'bad';
}

function describeLength(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '24 hours' : `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return seconds === 3_600 ? 'hour' : `${seconds / 3_600} hours`;
  return formatDuration(seconds);
}

/** A breakdown as a table: value, attempts, share (with a bar), ASR and ACD. */
export function breakdownTable(answer: BreakdownAnswer): HTMLElement {
  if (answer.items.length === 0) return h('p', { class: 'muted' }, 'No calls in this range.');
  const total = answer.items.reduce((sum, i) => sum + i.attempts, 0);
  const showQuality = answer.by === 'type' || answer.by === 'ended_by';
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, labelOfBy(answer.by)), h('th', { scope: 'col', class: 'num' }, 'Calls'),
      h('th', { scope: 'col', class: 'num' }, 'Share'),
      showQuality ? h('th', { scope: 'col', class: 'num' }, 'ASR') : null, showQuality ? h('th', { scope: 'col', class: 'num' }, 'ACD') : null)),
    h('tbody', {}, ...answer.items.map((item) => {
      const share = total === 0 ? null : item.attempts / total;
      const bar = h('span', { class: 'bar' });
      bar.style.width = `${Math.round((share ?? 0) * 100)}%`;
      return h('tr', { 'data-value': String(item.value) },
        h('td', {}, breakdownLabel(answer.by, item.value)),
        h('td', { class: 'num', 'data-col': 'attempts' }, formatCount(item.attempts)),
        h('td', { class: 'num share', 'data-col': 'share' }, h('span', { class: 'bar-track' }, bar), formatPercent(share)),
        showQuality ? h('td', { class: 'num', 'data-col': 'asr' }, formatPercent(item.asr)) : null,
        showQuality ? h('td', { class: 'num', 'data-col': 'acd_sec' }, formatDuration(item.acd_sec)) : null);
    })));
}

function labelOfBy(by: BreakdownBy): string {
  return { outcome: 'Outcome', reason: 'Reason', terminate: 'terminate', ended_by: 'Ended by', type: 'Type', from_service_id: 'Caller service', to_service_id: 'Callee service', caller: 'Caller', callee: 'Callee' }[by];
}

function histogramTable(bins: ReturnType<typeof durationBins>): HTMLElement {
  if (bins.length === 0) return h('p', { class: 'muted' }, 'No answered calls in this range.');
  return h('table', { class: 'data compact' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Duration'), h('th', { scope: 'col', class: 'num' }, 'Share'), h('th', { scope: 'col', class: 'num' }, '≈ Calls'))),
    h('tbody', {}, ...bins.map((bin, i) => h('tr', { 'data-bin': i },
      h('td', {}, bin.range), h('td', { class: 'num', 'data-col': 'share' }, formatPercent(bin.share)), h('td', { class: 'num' }, formatCount(bin.calls))))));
}

/** Reasons ranked by failed + dropped calls, with both counts. */
export function failureReasonTable(answer: BreakdownAnswer): HTMLElement {
  const items = answer.items.filter((i) => i.failed + i.dropped > 0).sort((a, b) => b.failed + b.dropped - (a.failed + a.dropped)).slice(0, TOP_REASONS);
  if (items.length === 0) return h('p', { class: 'muted' }, 'No failed or dropped calls in this range.');
  const total = answer.items.reduce((sum, i) => sum + i.failed + i.dropped, 0);
  return h('table', { class: 'data' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Reason'), h('th', { scope: 'col', class: 'num' }, 'Failed'),
      h('th', { scope: 'col', class: 'num' }, 'Dropped'), h('th', { scope: 'col', class: 'num' }, 'Share'))),
    h('tbody', {}, ...items.map((item) => {
      const share = total === 0 ? null : (item.failed + item.dropped) / total;
      return h('tr', { 'data-value': String(item.value) },
        h('td', {}, h('code', {}, breakdownLabel('reason', item.value))),
        h('td', { class: 'num', 'data-col': 'failed' }, formatCount(item.failed)),
        h('td', { class: 'num', 'data-col': 'dropped' }, formatCount(item.dropped)),
        h('td', { class: 'num', 'data-col': 'share' }, formatPercent(share)));
    })));
}
