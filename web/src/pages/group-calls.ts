/** The group call list: room sessions with the API's filters, newest start first, paged by cursor; each links to its room page. */
import { ApiError, apiGet, type Params } from '../api.js';
import type { GroupCallPage, GroupCallSummary } from '../api-types.js';
import { type CursorHistory, cursorPagerLinks } from '../cursor-pager.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatDurationMs, formatTime } from '../format.js';
import { callTypeLabel, SESSION_STATE_LABELS, SESSION_STATES, STAY_STATUS_LABELS, STAY_STATUSES } from '../labels.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import { filterFormParams, unixToZonedInput } from '../time-range.js';
import { errorBox } from './error-box.js';

/** Filters the page passes to the API as they are in the hash (`from`/`to` in Unix milliseconds, as the API takes them). */
const FILTERS = ['svc_id', 'id', 'host_svc_id', 'host_id', 'user_svc_id', 'user_id', 'from', 'to', 'state', 'stay_status', 'limit'] as const;
const PAGE_SIZES = [25, 50, 100, 200];

/** Earlier pages' cursors, so "Newer" can go back (kept while the tab lives). */
const cursorHistory: CursorHistory = new Map();

/** `#/group-calls?<filters>&cursor=<next_cursor>`. */
export function renderGroupCalls(view: HTMLElement, params: URLSearchParams): Cleanup {
  const tz = timeZone();
  const controller = new AbortController();
  const filters: Params = {};
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value !== null && value !== '') filters[key] = value;
  }
  const filterKey = new URLSearchParams(filters as Record<string, string>).toString();
  const cursor = params.get('cursor');

  const form = filterForm(params, tz);
  const status = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'group-calls-status' });
  const tableHolder = h('div', { class: 'table-scroll' });
  const pager = h('div', { class: 'pager' });
  const active = Object.keys(filters).filter((k) => k !== 'limit').length;
  const filterBox = h('details', { class: 'filter-box', open: active > 0 || matchMedia('(min-width: 640px)').matches },
    h('summary', {}, active === 0 ? 'Filters' : `Filters (${active} active)`), form);
  view.append(h('div', { class: 'page-head' }, h('h1', {}, 'Group calls')), filterBox, status, tableHolder, pager);

  status.textContent = 'Loading…';
  apiGet<GroupCallPage>('/api/group-calls', { ...filters, ...(cursor ? { cursor } : {}) }, controller.signal)
    .then((page) => {
      const n = page.items.length;
      status.textContent = n === 0 ? 'No group calls match these filters.' : `${n} group call${n === 1 ? '' : 's'} on this page, newest start first.`;
      replaceChildren(tableHolder, n === 0 ? null : sessionTable(page.items, tz));
      replaceChildren(pager, ...cursorPagerLinks('/group-calls', params, { cursor, nextCursor: page.next_cursor }, cursorHistory, filterKey));
    })
    .catch((error: unknown) => {
      replaceChildren(status, errorBox(error));
      if (error instanceof ApiError) {
        for (const detail of error.details) form.querySelector(`[name="${CSS.escape(detail.field)}"]`)?.setAttribute('aria-invalid', 'true');
      }
    })
    .finally(() => {
      view.dataset.loaded = 'true';
    });
  return () => controller.abort();
}

function filterForm(params: URLSearchParams, tz: string): HTMLFormElement {
  const text = (name: string, label: string) => h('label', {}, label, h('input', { name, value: params.get(name) ?? '' }));
  const timeInput = (name: 'from' | 'to', label: string) => {
    const ms = Number(params.get(name));
    return h('label', {}, `${label} (${tz})`, h('input', { type: 'datetime-local', name, value: ms > 0 ? unixToZonedInput(Math.floor(ms / 1000), tz) : '' }));
  };
  const select = (name: string, label: string, options: Array<[string, string]>) =>
    h('label', {}, label, h('select', { name }, ...options.map(([value, caption]) => h('option', { value, selected: (params.get(name) ?? '') === value }, caption))));
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' },
    h('div', { class: 'filter-grid' },
      timeInput('from', 'Started from'),
      timeInput('to', 'Started before'),
      text('id', 'Room id'),
      text('svc_id', 'Room service'),
      text('host_id', 'Host user id'),
      text('host_svc_id', 'Host service'),
      text('user_id', 'Participant user id'),
      text('user_svc_id', 'Participant service'),
      select('state', 'State', [['', 'any'], ...SESSION_STATES.map((s): [string, string] => [s, SESSION_STATE_LABELS[s]])]),
      select('stay_status', 'With a stay', [['', 'any status'], ...STAY_STATUSES.map((s): [string, string] => [s, STAY_STATUS_LABELS[s]])]),
      select('limit', 'Per page', PAGE_SIZES.map((n): [string, string] => [n === 50 ? '' : String(n), String(n)]))),
    h('div', { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply filters'),
      h('a', { href: '#/group-calls', class: 'button' }, 'Clear')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = routeHash('/group-calls', filterFormParams(form, tz, 'milliseconds'));
  });
  return form;
}

function sessionTable(sessions: GroupCallSummary[], tz: string): HTMLElement {
  const columns: Array<[string, boolean]> = [
    ['Start', false], ['Room', false], ['Host', false], ['Media', false], ['State', false],
    ['Duration', true], ['Participants', true], ['Peak online', true], ['Stays', false],
  ];
  return h('table', { class: 'data group-calls', 'data-testid': 'group-calls' },
    h('thead', {}, h('tr', {}, ...columns.map(([c, num]) => h('th', { scope: 'col', class: num ? 'num' : '' }, c)))),
    h('tbody', {}, ...sessions.map((s) => h('tr', { 'data-sid': s.sid, 'data-state': s.state },
      h('td', {}, h('a', { href: `#/group-calls/${encodeURIComponent(s.sid)}`, title: s.sid }, formatTime(Math.floor(s.started_at / 1000), tz))),
      h('td', { 'data-col': 'room' }, party(s.id, s.svc_id)),
      h('td', { 'data-col': 'host' }, party(s.host_id, s.host_svc_id)),
      h('td', {}, callTypeLabel(s.media_type)),
      h('td', { 'data-col': 'state' }, stateBadge(s.state)),
      h('td', { class: 'num', 'data-col': 'duration' }, formatDurationMs(s.duration_ms)),
      h('td', { class: 'num', 'data-col': 'participants' }, formatCount(s.participants)),
      h('td', { class: 'num', 'data-col': 'peak-online' }, formatCount(s.peak_online)),
      h('td', { 'data-col': 'stays' }, stayCountBadges(s.stay_counts))))));
}

/** A session's state as a badge: a room without its end is marked, not only named. */
export function stateBadge(state: GroupCallSummary['state'], big = false): HTMLElement {
  return h('span', { class: `badge state ${state}${big ? ' big' : ''}`, 'data-state': state }, SESSION_STATE_LABELS[state]);
}

/** One badge per status that has stays: `3 completed`, `1 kicked` … in the spec's order. */
function stayCountBadges(counts: GroupCallSummary['stay_counts']): HTMLElement {
  return h('span', { class: 'stay-counts' }, ...STAY_STATUSES.filter((status) => counts[status] > 0).map((status) =>
    h('span', { class: `badge stay ${status}`, 'data-status': status, 'data-count': counts[status], title: STAY_STATUS_LABELS[status] },
      `${formatCount(counts[status])} ${STAY_STATUS_LABELS[status].toLowerCase()}`)));
}

function party(user: string, service: string): HTMLElement {
  return h('span', { class: 'party' }, user, h('span', { class: 'muted' }, `@${service}`));
}
