/**
 * A call's life across callbacks (GET /api/calls/:sid/lifecycle): where it is, its
 * Notify and the relay attempts, the push-error diagnosis and every delivery in time
 * order; and the list of notified calls whose Call Event never came (GET /api/lifecycle).
 */
import { ApiError, apiGet } from '../api.js';
import type { CallLifeJson, LifecycleListJson } from '../api-types.js';
import { definitionTable, h, replaceChildren } from '../dom.js';
import { formatTime, NO_VALUE } from '../format.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import { errorBox } from './error-box.js';
import { appendLifecycleStatsPanel } from './lifecycle-stats-panel.js';

const STATE_TEXT: Record<CallLifeJson['lifecycle']['state'], string> = {
  ended: 'ended: the Call Event arrived',
  in_progress: 'in progress: notified, the Call Event is not due yet',
  end_missing: 'end missing: notified, and no Call Event within the deadline',
  unknown: 'only an Agent Call Status was received',
};

/** The life of a sid, or null when no callback carried it. */
export async function fetchCallLife(sid: string, signal: AbortSignal): Promise<CallLifeJson | null> {
  try {
    return await apiGet<CallLifeJson>(`/api/calls/${encodeURIComponent(sid)}/lifecycle`, {}, signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function when(iso: string | null, tz: string): string {
  if (iso === null) return NO_VALUE;
  const ms = Date.parse(iso);
  return `${formatTime(Math.floor(ms / 1000), tz)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** The life card: lifecycle, Notify, Agent Call Status, the diagnosis, the timeline. */
export function lifeSection(life: CallLifeJson, tz: string): HTMLElement {
  const l = life.lifecycle;
  const rows: Array<[string, HTMLElement | string]> = [
    ['State', h('span', { 'data-testid': 'lifecycle-state', 'data-state': l.state }, STATE_TEXT[l.state])],
    ['Notified', when(l.notified_at, tz)],
    ['Ended', l.ended_at === null && l.end_due_at !== null ? `${NO_VALUE} (due by ${when(l.end_due_at, tz)})` : when(l.ended_at, tz)],
  ];
  if (life.notify !== null) rows.push(['Notify', `${life.notify.from_user_id} → ${life.notify.to_user_id}, param ${life.notify.param.length} characters`]);
  if (life.agent_call_status !== null) {
    const s = life.agent_call_status;
    rows.push(['Agent Call Status', `${s.agent_type} ${s.media_source_type}: ${s.result}${s.fail_reason === null ? '' : ` (${s.fail_reason})`}`]);
  }
  return h('section', { class: 'card', 'data-testid': 'call-life' }, h('h2', {}, 'Across callbacks'),
    definitionTable(rows),
    life.push_diagnosis === null ? null : h('p', { class: 'explanation', 'data-testid': 'push-diagnosis', 'data-verdict': life.push_diagnosis.verdict }, life.push_diagnosis.explanation),
    h('h3', {}, `Timeline (${life.timeline.length})`),
    h('ol', { class: 'life-timeline', 'data-testid': 'life-timeline' },
      ...life.timeline.map((e) => h('li', { 'data-event': e.event }, h('span', { class: 'muted' }, when(e.at, tz)), ' ', e.summary))));
}

/** `#/lifecycle`: the notified calls whose Call Event is overdue. */
export function renderEndMissing(view: HTMLElement): Cleanup {
  const controller = new AbortController();
  const tz = timeZone();
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  view.append(
    h('div', { class: 'page-head' }, h('h1', {}, 'Missing end events')),
    h('p', { class: 'muted' }, 'Calls LINE Planet announced with a Notify, whose Call Event did not arrive within the deadline (CALL_EVENT_DEADLINE, 2 h by default). A call leaves this list when its end arrives.'));
  const panelCleanup = appendLifecycleStatsPanel(view, tz);
  view.append(h('h2', {}, 'Notified calls without their end'), list);
  apiGet<LifecycleListJson>('/api/lifecycle', { state: 'end_missing', limit: 200 }, controller.signal)
    .then((answer) => replaceChildren(list, answer.items.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-end-missing' }, 'None: every notified call has ended, or is not due yet.')
      : h('table', { class: 'data', 'data-testid': 'end-missing' },
        h('thead', {}, h('tr', {}, ...['Notified', 'Caller', 'Callee', 'Type', 'Call'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...answer.items.map((i) => h('tr', { 'data-sid': i.sid },
          h('td', {}, when(i.notified_at, tz)), h('td', {}, i.from_user_id), h('td', {}, i.to_user_id),
          h('td', {}, i.type === 'A' ? 'audio' : 'video'),
          h('td', {}, h('a', { href: routeHash(`/calls/${encodeURIComponent(i.sid)}`) }, h('code', { class: 'sid' }, i.sid)))))))))
    .catch((error: unknown) => replaceChildren(list, errorBox(error)))
    .finally(() => {
      view.dataset.loaded = 'true';
    });
  return () => {
    controller.abort();
    panelCleanup();
  };
}
