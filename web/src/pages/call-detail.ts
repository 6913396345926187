/**
 * One call: its timeline, status and explanation, decoded codes, every field, the
 * callback exactly as received, its deliveries and its conflicting versions.
 */
import { apiGet } from '../api.js';
import { CALL_FIELDS, type CallJson, type DecodedCode } from '../api-types.js';
import { definitionTable, h, replaceChildren } from '../dom.js';
import { formatDuration, formatTime, NO_VALUE } from '../format.js';
import { endedByLabel, outcomeLabel } from '../labels.js';
import type { Cleanup } from '../main.js';
import { timeZone } from '../settings.js';
import { type CallHistory, conflictsSection, deliveriesSection, fetchCallHistory, rawCallbackSection } from './call-deliveries.js';
import { fetchCallLife, lifeSection } from './call-life.js';
import type { CallLifeJson } from '../api-types.js';
import { errorBox } from './error-box.js';

const TIME_FIELDS = new Set(['setup_time', 'start_time', 'end_time']);

export function renderCallDetail(view: HTMLElement, sid: string): Cleanup {
  const controller = new AbortController();
  const tz = timeZone();
  view.append(h('p', { class: 'muted' }, 'Loading…'));
  // The life first: a call notified but not ended yet has no Call Event to show, only its life.
  fetchCallLife(sid, controller.signal)
    .then(async (life) => {
      if (life !== null && life.call === null) return view.replaceChildren(...notEndedSections(life, tz));
      const [call, history] = await Promise.all([apiGet<CallJson>(`/api/calls/${encodeURIComponent(sid)}`, {}, controller.signal), fetchCallHistory(sid, controller.signal)]);
      replaceChildren(view, ...callSections(call, history, tz, life));
    })
    .catch((error: unknown) => view.replaceChildren(h('h1', {}, 'Call'), errorBox(error)))
    .finally(() => {
      view.dataset.loaded = 'true';
    });
  return () => controller.abort();
}

/** A sid known by its Notify (or Agent Call Status) alone: the call has not ended, or its end never came. */
function notEndedSections(life: CallLifeJson, tz: string): HTMLElement[] {
  return [
    h('div', { class: 'page-head' }, h('h1', {}, 'Call ', h('code', { class: 'sid' }, life.sid))),
    h('p', { class: 'explanation', 'data-testid': 'explanation' }, 'No Call Event has arrived for this call yet.'),
    lifeSection(life, tz),
  ];
}

function callSections(call: CallJson, history: CallHistory, tz: string, life: CallLifeJson | null): Array<HTMLElement | null> {
  const s = call.status;
  return [
    h('div', { class: 'page-head' },
      h('h1', {}, 'Call ', h('code', { class: 'sid' }, call.sid)),
      h('span', { class: `badge big ${s.outcome}`, 'data-testid': 'outcome' }, outcomeLabel(s.outcome))),
    h('p', { class: 'explanation', 'data-testid': 'explanation' }, s.explanation),
    h('section', { class: 'card' }, h('h2', {}, 'Timeline'), timeline(call, tz)),
    life === null ? null : lifeSection(life, tz),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card' }, h('h2', {}, 'Status'), definitionTable([
        ['Outcome', outcomeLabel(s.outcome)],
        ['Ended by', endedByLabel(s.ended_by)],
        ['Reason', h('code', {}, s.reason)],
        ['Decided by', h('code', {}, s.reason_source)],
        ['Connected', s.connected ? 'yes (talk time)' : 'no (no talk time)'],
        ['Classifier version', String(s.classifier_version)],
      ], { 'data-testid': 'status' }),
      h('h3', {}, 'Inconsistencies'),
      s.inconsistencies.length === 0
        ? h('p', { class: 'muted' }, 'None: all signals agree.')
        : h('ul', { class: 'inconsistencies', 'data-testid': 'inconsistencies' }, ...s.inconsistencies.map((i) => h('li', {}, h('code', {}, i.code), ' ', i.message)))),
      h('section', { class: 'card' }, h('h2', {}, 'Decoded codes'), decodedTable(call))),
    h('section', { class: 'card' }, h('h2', {}, 'Fields'), definitionTable(fieldRows(call, tz), { 'data-testid': 'fields' })),
    h('section', { class: 'card' }, h('h2', {}, 'Delivery'), definitionTable([
      ['Received', `${formatTime(Math.floor(Date.parse(call.received_at) / 1000), tz)} (${call.received_at})`],
      ['Raw request id', String(call.raw_request_id)],
      ['Conflicts', call.conflicts === 0
        ? 'none: every later delivery of this sid was identical'
        : `${call.conflicts} later deliveries of this sid carried different values; the first version is shown`],
    ], { 'data-testid': 'delivery' })),
    rawCallbackSection(call, history, callbackQuery(call)),
    deliveriesSection(history, tz),
    conflictsSection(call, history, tz),
  ];
}

/**
 * Ringing, then talking. Whether the call talked is the status's `connected` (talk-time
 * evidence, docs/spec/outcomes.md §1.2), so the timeline never disagrees with the
 * explanation; a call can show talk time (duration, billing) without a start time.
 */
function timeline(call: CallJson, tz: string): HTMLElement {
  const connected = call.status.connected;
  const started = call.start_time > 0;
  const talk = !connected ? 0 : started ? Math.max(0, call.end_time - call.start_time) : call.duration;
  const ringEnd = started ? call.start_time : call.end_time - talk;
  const ring = Math.max(0, ringEnd - call.setup_time);
  const total = Math.max(1, ring + talk);
  const ringBar = h('span', { class: 'seg ring', title: `ringing ${formatDuration(ring)}` });
  const talkBar = h('span', { class: 'seg talk', title: `talking ${formatDuration(talk)}` });
  ringBar.style.flexGrow = String(ring / total);
  talkBar.style.flexGrow = String(talk / total);
  const step = (label: string, unix: number | null, note: string) =>
    h('li', {}, h('strong', {}, label), h('span', {}, unix === null ? NO_VALUE : formatTime(unix, tz)), h('span', { class: 'muted' }, note));
  const startNote = !connected
    ? `never connected (ended after ${formatDuration(ring)})`
    : started ? `answered after ${formatDuration(ring)}` : 'connected; the start time was not reported';
  return h('div', { class: 'timeline', 'data-testid': 'timeline' },
    h('div', { class: 'bar-line', 'aria-hidden': 'true' }, ringBar, connected ? talkBar : null),
    h('ol', {},
      step('Setup', call.setup_time, 'the caller dialled'),
      step('Start', started && connected ? call.start_time : null, startNote),
      step('End', call.end_time, connected ? `talked ${formatDuration(call.duration)}` : '')));
}

function decodedTable(call: CallJson): HTMLElement {
  const rows = (['terminate', 'disconnect_reason', 'call_end_reason', 'releaser_type'] as const).map((field) => {
    const d: DecodedCode | null = call.status.decoded[field];
    return h('tr', { 'data-field': field }, h('th', { scope: 'row' }, field),
      h('td', { class: 'num' }, d === null ? NO_VALUE : String(d.code)),
      h('td', {}, d === null ? NO_VALUE : h('code', {}, d.name)),
      h('td', {}, d === null ? 'absent' : d.meaning));
  });
  return h('table', { class: 'data', 'data-testid': 'decoded' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col', class: 'num' }, 'Code'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Meaning'))),
    h('tbody', {}, ...rows));
}

function fieldRows(call: CallJson, tz: string): Array<[string, HTMLElement | string]> {
  const rows: Array<[string, HTMLElement | string]> = CALL_FIELDS.map((field) => {
    const value = call[field];
    if (value === null) return [field, h('span', { class: 'muted', 'data-field': field }, 'absent')];
    const shown = TIME_FIELDS.has(field) && typeof value === 'number' && value > 0 ? `${value} (${formatTime(value, tz)})` : String(value);
    return [field, h('span', { 'data-field': field }, shown)];
  });
  for (const [key, value] of Object.entries(call.extra)) rows.push([`${key} (extra)`, h('span', { 'data-field': key }, value)]);
  return rows;
}

/** The call's keys as `key=value&...` in the spec's order, extra keys last. */
export function callbackQuery(call: CallJson): string {
  const q = new URLSearchParams();
  for (const field of CALL_FIELDS) {
    const value = call[field];
    if (value !== null) q.append(field, String(value));
  }
  for (const [key, value] of Object.entries(call.extra)) q.append(key, value);
  return q.toString().replaceAll('&', '\n&');
}
