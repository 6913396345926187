/**
 * One room session (`#/group-calls/<sid>`): its facts and state with the reason for it,
 * the participant timeline, and every stay in a table (docs/spec/group-calls.md).
 */
import { apiGet } from '../api.js';
import type { GroupCallJson, GroupStay } from '../api-types.js';
import { definitionTable, h, replaceChildren } from '../dom.js';
import { formatCount, formatDurationMs, formatTimeMs } from '../format.js';
import { callTypeLabel, endedByLabel, STAY_STATUS_LABELS } from '../labels.js';
import type { Cleanup } from '../main.js';
import { routeHash } from '../router.js';
import { timeZone } from '../settings.js';
import { errorBox } from './error-box.js';
import { stateBadge } from './group-calls.js';
import { mediaText, participantTimeline } from './group-timeline.js';

export function renderGroupCall(view: HTMLElement, sid: string): Cleanup {
  const controller = new AbortController();
  const tz = timeZone();
  view.append(h('p', { class: 'muted' }, 'Loading…'));
  apiGet<GroupCallJson>(`/api/group-calls/${encodeURIComponent(sid)}`, {}, controller.signal)
    .then((call) => replaceChildren(view, ...roomSections(call, tz, Date.now())))
    .catch((error: unknown) => replaceChildren(view, h('h1', {}, 'Group call'), errorBox(error), h('p', {}, h('a', { href: '#/group-calls' }, 'All group calls'))))
    .finally(() => {
      view.dataset.loaded = 'true';
    });
  return () => controller.abort();
}

function roomSections(call: GroupCallJson, tz: string, nowMs: number): HTMLElement[] {
  return [
    h('div', { class: 'page-head' },
      h('h1', {}, 'Room ', h('span', { 'data-testid': 'room-id' }, call.id), h('span', { class: 'muted' }, `@${call.svc_id}`)),
      stateBadge(call.state, true),
      h('a', { href: routeHash('/group-calls', { svc_id: call.svc_id, id: call.id }), class: 'small' }, 'Other sessions of this room')),
    h('p', { class: 'explanation', 'data-testid': 'state-explanation' }, stateExplanation(call, tz)),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card' }, h('h2', {}, 'Session'), definitionTable([
        ['Session id', h('code', { class: 'sid' }, call.sid)],
        ['Room', `${call.id}@${call.svc_id}`],
        ['Host', `${call.host_id}@${call.host_svc_id}`],
        ['Media', callTypeLabel(call.media_type)],
        ['Started', formatTimeMs(call.started_at, tz)],
        ['Ended', call.ended_at === null ? `not yet${call.end_due_at === null ? '' : ` (end missing from ${formatTimeMs(call.end_due_at, tz)} without events)`}` : formatTimeMs(call.ended_at, tz)],
        ['Duration', formatDurationMs(call.duration_ms)],
        ['Last event', formatTimeMs(call.last_event_at, tz)],
      ], { 'data-testid': 'session-facts' })),
      h('section', { class: 'card' }, h('h2', {}, 'Participants'), definitionTable([
        ['Participants', h('span', { 'data-field': 'participants' }, formatCount(call.participants))],
        ['Stays', h('span', { 'data-field': 'stays' }, formatCount(call.stays.length))],
        ['Peak online (LINE Planet)', h('span', { 'data-field': 'peak_online' }, formatCount(call.peak_online))],
        ['Peak stays (rebuilt)', h('span', { 'data-field': 'peak_stays' }, formatCount(call.peak_stays))],
        ['Online at the last event', formatCount(call.final_online)],
        ['Events', `${formatCount(call.event_count)}${call.conflicts === 0 ? '' : `, ${formatCount(call.conflicts)} conflicting versions`}`],
      ], { 'data-testid': 'participant-facts' }),
      h('h3', {}, 'Flags'),
      call.flags.length === 0
        ? h('p', { class: 'muted' }, 'None: the events agree.')
        : h('ul', { class: 'inconsistencies', 'data-testid': 'session-flags' }, ...call.flags.map((f) => h('li', { 'data-flag': f.code }, h('code', {}, f.code), ' ', f.message))))),
    h('section', { class: 'card' }, h('h2', {}, 'Participant timeline'), participantTimeline(call, tz, nowMs)),
    h('section', { class: 'card' }, h('h2', {}, `Stays (${call.stays.length})`), stayTable(call.stays, tz)),
  ];
}

/** Why the session is in its state (docs/spec/group-calls.md §1.5). */
function stateExplanation(call: GroupCallJson, tz: string): string {
  if (call.state === 'ended') return `Ended: the room's end (sc=E) arrived at ${formatTimeMs(call.ended_at, tz)}, ${formatDurationMs(call.duration_ms)} after its start.`;
  const last = formatTimeMs(call.last_event_at, tz);
  if (call.state === 'in_progress') {
    return `In progress: the room's end (sc=E) has not arrived; its last event was at ${last}. Without further events it counts as end missing from ${formatTimeMs(call.end_due_at, tz)}.`;
  }
  return `End missing: the room's end (sc=E) never arrived, and nothing came within GROUP_END_DEADLINE after its last event at ${last}. Open stays have no leave.`;
}

function stayTable(stays: GroupStay[], tz: string): HTMLElement {
  if (stays.length === 0) return h('p', { class: 'muted' }, 'No stays.');
  const columns = ['Participant', 'Device', 'Joined', 'Left', 'Duration', 'Status', 'Reason', 'Ended by', 'Media', 'Explanation'];
  return h('div', { class: 'table-scroll' }, h('table', { class: 'data stays', 'data-testid': 'stays' },
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c === 'Duration' ? 'num' : '' }, c)))),
    h('tbody', {}, ...stays.map((s, index) => h('tr', { 'data-index': index, 'data-user': s.user_id, 'data-status': s.status },
      h('td', { 'data-col': 'participant' }, s.user_id, h('span', { class: 'muted' }, `@${s.user_svc_id}`), s.display_name === null ? null : h('div', { class: 'muted small' }, s.display_name)),
      h('td', { 'data-col': 'device' }, s.ue_type),
      h('td', { 'data-col': 'joined' }, s.joined_at === null ? 'never' : formatTimeMs(s.joined_at, tz)),
      h('td', { 'data-col': 'left' }, s.left_at === null ? (s.joined_at === null ? '—' : 'still in the room') : formatTimeMs(s.left_at, tz)),
      h('td', { class: 'num', 'data-col': 'duration' }, formatDurationMs(s.duration_ms)),
      h('td', { 'data-col': 'status' }, h('span', { class: `badge stay ${s.status}` }, STAY_STATUS_LABELS[s.status])),
      h('td', { 'data-col': 'reason' }, s.reason === null ? '' : h('code', {}, s.reason)),
      h('td', { 'data-col': 'ended-by' }, endedByLabel(s.ended_by)),
      h('td', { 'data-col': 'media' }, mediaText(s, tz)),
      h('td', { 'data-col': 'explanation', class: 'explain' }, s.explanation,
        s.flags.length === 0 ? null : h('div', { class: 'muted small' }, s.flags.map((f) => f.code).join(', '))))))));
}
