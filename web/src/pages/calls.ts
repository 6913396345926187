/** The call log: the API's filters as a form, a paginated table, links to each call, exports. */
import { apiBlob, apiGet, ApiError, type Params } from '../api.js';
import { type CallJson, type CallPage, ENDED_BY, OUTCOMES } from '../api-types.js';
import { type CursorHistory, cursorPagerLinks } from '../cursor-pager.js';
import { h, replaceChildren } from '../dom.js';
import { formatDuration, formatTime } from '../format.js';
import { callTypeLabel, endedByLabel, outcomeLabel } from '../labels.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import { filterFormParams, unixToZonedInput } from '../time-range.js';
import { errorBox } from './error-box.js';

/** Filter parameters the page passes to the API unchanged (from/to are converted). */
const TEXT_FILTERS = ['user', 'from_user_id', 'to_user_id', 'from_service_id', 'to_service_id', 'reason', 'min_duration', 'max_duration'] as const;
const PAGE_SIZES = [25, 50, 100, 200];

/** Earlier pages' cursors, so "Newer" can go back (kept while the tab lives). */
const cursorHistory: CursorHistory = new Map();

export function renderCalls(view: HTMLElement, params: URLSearchParams): Cleanup {
  const tz = timeZone();
  const controller = new AbortController();
  const filters = filtersOf(params);
  const filterKey = new URLSearchParams(Object.entries(filters).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, String(v)]]))).toString();
  const cursor = params.get('cursor');

  const form = filterForm(params, tz);
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const tableHolder = h('div', { class: 'table-scroll' });
  const pager = h('div', { class: 'pager' });
  const exportBox = h('div', { class: 'exports' },
    h('button', { type: 'button', onclick: () => void download('csv') }, 'Export CSV'),
    h('button', { type: 'button', onclick: () => void download('ndjson') }, 'Export NDJSON'));
  // On a phone the form would push the calls off screen: folded unless filters are active.
  const active = Object.keys(filters).filter((k) => k !== 'limit').length;
  const filterBox = h('details', { class: 'filter-box', open: active > 0 || matchMedia('(min-width: 640px)').matches },
    h('summary', {}, active === 0 ? 'Filters' : `Filters (${active} active)`), form);
  view.append(h('div', { class: 'page-head' }, h('h1', {}, 'Calls'), exportBox), filterBox, status, tableHolder, pager);

  async function download(format: 'csv' | 'ndjson'): Promise<void> {
    try {
      const blob = await apiBlob('/api/calls/export', { ...filters, format });
      const link = h('a', { href: URL.createObjectURL(blob), download: `calls.${format}` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      replaceChildren(status, errorBox(error));
    }
  }

  status.textContent = 'Loading…';
  apiGet<CallPage>('/api/calls', { ...filters, ...(cursor ? { cursor } : {}) }, controller.signal)
    .then((page) => {
      status.textContent = page.items.length === 0 ? 'No calls match these filters.' : `${page.items.length} call${page.items.length === 1 ? '' : 's'} on this page, newest first.`;
      replaceChildren(tableHolder, callTable(page.items, tz));
      replaceChildren(pager, ...cursorPagerLinks('/calls', params, { cursor, nextCursor: page.next_cursor }, cursorHistory, filterKey));
      view.dataset.loaded = 'true';
    })
    .catch((error: unknown) => {
      replaceChildren(status, errorBox(error));
      if (error instanceof ApiError) markFieldErrors(form, error);
      view.dataset.loaded = 'true';
    });

  return () => controller.abort();
}

/** Reads the page's URL parameters into API filter parameters. */
function filtersOf(params: URLSearchParams): Params {
  const out: Params = {};
  for (const key of ['from', 'to', 'time_field', 'type', 'ended_by', 'limit', ...TEXT_FILTERS]) {
    const value = params.get(key);
    if (value !== null && value !== '') out[key] = value;
  }
  const outcomes = params.getAll('outcome').flatMap((o) => o.split(',')).filter((o) => o !== '');
  if (outcomes.length > 0) out.outcome = outcomes;
  return out;
}

function filterForm(params: URLSearchParams, tz: string): HTMLFormElement {
  const text = (name: string, label: string, attrs: Record<string, string> = {}) =>
    h('label', {}, label, h('input', { name, value: params.get(name) ?? '', ...attrs }));
  const timeInput = (name: 'from' | 'to', label: string) => {
    const raw = Number(params.get(name));
    return h('label', {}, `${label} (${tz})`, h('input', { type: 'datetime-local', name, value: raw > 0 ? unixToZonedInput(raw, tz) : '' }));
  };
  const select = (name: string, label: string, options: Array<[string, string]>) =>
    h('label', {}, label, h('select', { name }, ...options.map(([value, text]) => h('option', { value, selected: (params.get(name) ?? '') === value }, text))));
  const chosen = new Set(params.getAll('outcome').flatMap((o) => o.split(',')));
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' },
    h('div', { class: 'filter-grid' },
      timeInput('from', 'From'),
      timeInput('to', 'To'),
      select('time_field', 'Time of', [['', 'setup'], ['end_time', 'end']]),
      text('user', 'User (either party)'),
      text('from_user_id', 'Caller user id'),
      text('to_user_id', 'Callee user id'),
      text('from_service_id', 'Caller service'),
      text('to_service_id', 'Callee service'),
      select('type', 'Type', [['', 'any'], ['A', 'audio'], ['V', 'video']]),
      text('reason', 'Reason', { placeholder: 'e.g. NETWORK_UNSTABLE' }),
      select('ended_by', 'Ended by', [['', 'anyone'], ...ENDED_BY.map((e): [string, string] => [e, endedByLabel(e)])]),
      text('min_duration', 'Min duration (s)', { inputmode: 'numeric' }),
      text('max_duration', 'Max duration (s)', { inputmode: 'numeric' }),
      select('limit', 'Per page', PAGE_SIZES.map((n): [string, string] => [n === 50 ? '' : String(n), String(n)]))),
    h('fieldset', { class: 'outcomes' }, h('legend', {}, 'Outcome'),
      ...OUTCOMES.map((o) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'outcome', value: o, checked: chosen.has(o) }), ` ${outcomeLabel(o)}`))),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      h('a', { href: '#/calls', class: 'button' }, 'Clear')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = routeHash('/calls', filterFormParams(form, tz, 'seconds'));
  });
  return form;
}

function markFieldErrors(form: HTMLFormElement, error: ApiError): void {
  for (const detail of error.details) {
    const input = form.querySelector<HTMLInputElement>(`[name="${CSS.escape(detail.field)}"]`);
    input?.setAttribute('aria-invalid', 'true');
  }
}

function callTable(calls: CallJson[], tz: string): HTMLElement {
  if (calls.length === 0) return h('span');
  return h('table', { class: 'data calls' },
    h('thead', {}, h('tr', {}, ...['Setup time', 'Caller', 'Callee', 'Type', 'Outcome', 'Reason', 'Ended by', 'Duration'].map((c, i) =>
      h('th', { scope: 'col', class: i === 7 ? 'num' : '' }, c)))),
    h('tbody', {}, ...calls.map((c) => h('tr', { 'data-sid': c.sid },
      h('td', {}, h('a', { href: `#/calls/${encodeURIComponent(c.sid)}`, title: c.sid }, formatTime(c.setup_time, tz))),
      h('td', {}, party(c.from_user_id, c.from_service_id)),
      h('td', {}, party(c.to_user_id, c.to_service_id)),
      h('td', {}, callTypeLabel(c.type)),
      h('td', { 'data-col': 'outcome' }, h('span', { class: `badge ${c.status.outcome}` }, outcomeLabel(c.status.outcome))),
      h('td', { 'data-col': 'reason' }, c.status.reason),
      h('td', {}, endedByLabel(c.status.ended_by)),
      h('td', { class: 'num', 'data-col': 'duration' }, formatDuration(c.duration))))));
}

function party(user: string, service: string): HTMLElement {
  return h('span', { class: 'party' }, user, h('span', { class: 'muted' }, `@${service}`));
}
