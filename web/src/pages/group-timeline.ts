/**
 * A room's participant timeline as SVG: one lane per participant, each stay a bar from
 * join to leave coloured by its status, open stays marked, media changes and failed join
 * attempts as marks, the room's start and end as vertical lines, a time axis. Hovering or
 * focusing a stay shows its details beside the chart; the stays table under it holds the
 * same facts for whoever cannot use the chart.
 */
import type { GroupCallJson, GroupStay } from '../api-types.js';
import { definitionTable, h, replaceChildren, svg } from '../dom.js';
import { formatDurationMs, formatTimeMs, zonedParts } from '../format.js';
import { type Lane, layoutTimeline, type PlacedStay, timeTicks } from '../group-timeline-layout.js';
import { callTypeLabel, endedByLabel, STAY_STATUS_LABELS, STAY_STATUSES } from '../labels.js';

/** The drawing's coordinates (the SVG scales to its box): label column, plot, lanes, axis. */
const VIEW_WIDTH = 1000;
const LABEL_WIDTH = 170;
const RIGHT_PAD = 16;
const AXIS_HEIGHT = 26;
const LANE_HEIGHT = 30;
const BAR_HEIGHT = 14;

/** The timeline card's body: legend, chart and the details of the stay pointed at. */
export function participantTimeline(call: GroupCallJson, tz: string, nowMs: number): HTMLElement {
  if (call.stays.length === 0) return h('p', { class: 'muted', 'data-testid': 'timeline-empty' }, 'No participant stays in this room.');
  const layout = layoutTimeline(call, nowMs);
  const plotWidth = VIEW_WIDTH - LABEL_WIDTH - RIGHT_PAD;
  const x = (t: number) => LABEL_WIDTH + ((t - layout.from) / (layout.to - layout.from)) * plotWidth;
  const height = AXIS_HEIGHT + layout.lanes.length * LANE_HEIGHT + 8;
  const details = h('div', { class: 'stay-details', 'data-testid': 'stay-details', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Point at or focus (Tab) a stay for its details.'));
  const show = (p: PlacedStay) => replaceChildren(details, stayDetails(p, tz));

  const chart = svg('svg', {
    class: 'participant-timeline', 'data-testid': 'participant-timeline', viewBox: `0 0 ${VIEW_WIDTH} ${height}`, width: '100%', role: 'group',
    'aria-label': `Participant timeline: ${layout.lanes.length} participants, ${call.stays.length} stays`,
  },
  axis(layout.from, layout.to, x, height, tz),
  ...layout.lanes.map((lane, i) => laneGroup(lane, i, x, show)),
  roomLine('room-start', x(call.started_at), height, 'start'),
  call.ended_at === null ? roomLine('room-now', x(layout.openEnd), height, 'now') : roomLine('room-end', x(call.ended_at), height, 'end'));
  return h('div', { class: 'timeline-box' }, legend(), h('div', { class: 'timeline-scroll' }, chart), details);
}

function axis(from: number, to: number, x: (t: number) => number, height: number, tz: string): SVGGElement {
  const ticks = timeTicks(from, to);
  const withSeconds = ticks.some((t) => t % 60_000 !== 0);
  return svg('g', { class: 'axis', 'aria-hidden': 'true' }, ...ticks.map((t) => {
    const p = zonedParts(t, tz);
    return svg('g', {},
      svg('line', { class: 'grid', x1: x(t), x2: x(t), y1: AXIS_HEIGHT - 4, y2: height }),
      svg('text', { x: x(t), y: AXIS_HEIGHT - 9, 'text-anchor': 'middle' }, `${p.hour}:${p.minute}${withSeconds ? `:${p.second}` : ''}`));
  }));
}

/** A vertical line across the lanes: the start labelled on its right, the end (or now) on its left. */
function roomLine(kind: string, at: number, height: number, label: string): SVGGElement {
  const start = kind === 'room-start';
  return svg('g', { class: `room-line ${kind}`, 'data-testid': kind },
    svg('line', { x1: at, x2: at, y1: AXIS_HEIGHT - 4, y2: height }),
    svg('text', { x: start ? at + 3 : at - 3, y: height - 1, 'text-anchor': start ? 'start' : 'end' }, label));
}

function laneGroup(lane: Lane, i: number, x: (t: number) => number, show: (p: PlacedStay) => void): SVGGElement {
  const top = AXIS_HEIGHT + i * LANE_HEIGHT;
  const mid = top + LANE_HEIGHT / 2;
  const name = lane.display_name === null ? lane.user_id : `${lane.user_id} (${lane.display_name})`;
  return svg('g', { class: 'lane', 'data-user': lane.user_id, 'data-user-svc': lane.user_svc_id },
    svg('line', { class: 'lane-line', x1: LABEL_WIDTH, x2: VIEW_WIDTH - RIGHT_PAD, y1: mid, y2: mid }),
    svg('text', { class: 'lane-label', x: 4, y: mid + 4 }, svg('title', {}, `${lane.user_id}@${lane.user_svc_id}`), truncate(name, 22)),
    ...lane.stays.map((p) => stayMark(p, mid, x, show)));
}

/** A stay: a bar (with its media changes) when it joined, a cross at its time when the attempt failed. Focusable. */
function stayMark(p: PlacedStay, mid: number, x: (t: number) => number, show: (p: PlacedStay) => void): SVGGElement {
  const s = p.stay;
  const x0 = x(p.start);
  const label = `${s.user_id}: ${STAY_STATUS_LABELS[s.status]}, ${p.attempt ? 'did not join' : `${formatDurationMs(s.duration_ms)}${p.open ? ', still in the room' : ''}`}`;
  const shape = p.attempt
    ? svg('path', { class: 'attempt-mark', d: `M${x0 - 5},${mid - 5} L${x0 + 5},${mid + 5} M${x0 - 5},${mid + 5} L${x0 + 5},${mid - 5}` })
    : svg('rect', { class: 'stay-bar', x: x0, y: mid - BAR_HEIGHT / 2, width: Math.max(2, x(p.end) - x0), height: BAR_HEIGHT, rx: 3 });
  const hit = p.attempt ? svg('rect', { class: 'hit', x: x0 - 7, y: mid - 7, width: 14, height: 14 }) : null;
  const changes = p.attempt ? [] : s.media_changes.map((c) =>
    svg('path', { class: 'media-change', 'data-media': c.media_type, d: `M${x(c.ts)},${mid - BAR_HEIGHT / 2 - 3} l-3,-4 h6 z M${x(c.ts)},${mid - BAR_HEIGHT / 2 - 3} v${BAR_HEIGHT + 6}` }));
  const g = svg('g', {
    class: `stay ${s.status}${p.open ? ' open' : ''}${p.attempt ? ' attempt' : ''}`, tabindex: 0, role: 'button', 'aria-label': label,
    'data-index': p.index, 'data-status': s.status, 'data-user': s.user_id, 'data-open': p.open,
    onmouseenter: () => show(p), onfocus: () => show(p), onclick: () => show(p),
  }, svg('title', {}, label), hit, shape, ...changes,
  p.open ? svg('path', { class: 'open-arrow', d: `M${x(p.end)},${mid - BAR_HEIGHT / 2 - 2} l7,${BAR_HEIGHT / 2 + 2} l-7,${BAR_HEIGHT / 2 + 2} z` }) : null);
  return g;
}

function legend(): HTMLElement {
  return h('ul', { class: 'timeline-legend', 'aria-label': 'Legend' },
    ...STAY_STATUSES.map((status) => h('li', { 'data-status': status }, h('span', { class: `swatch ${status}`, 'aria-hidden': 'true' }), STAY_STATUS_LABELS[status])),
    h('li', {}, h('span', { class: 'swatch open-swatch', 'aria-hidden': 'true' }), 'open: still in the room'),
    h('li', {}, h('span', { class: 'mark-key attempt-key', 'aria-hidden': 'true' }, '✕'), 'failed join attempt'),
    h('li', {}, h('span', { class: 'mark-key media-key', 'aria-hidden': 'true' }, '▾'), 'media change'),
    h('li', {}, h('span', { class: 'line-key', 'aria-hidden': 'true' }), "the room's start and end (or now)"));
}

/** The facts of one stay, as the details panel shows them. */
function stayDetails(p: PlacedStay, tz: string): HTMLElement {
  const s: GroupStay = p.stay;
  return h('div', { 'data-index': p.index, 'data-status': s.status },
    h('p', { class: 'explanation', 'data-testid': 'stay-explanation' }, s.explanation),
    definitionTable([
      ['Participant', `${s.user_id}@${s.user_svc_id}${s.display_name === null ? '' : ` (${s.display_name})`}`],
      ['Status', h('span', { class: `badge stay ${s.status}` }, STAY_STATUS_LABELS[s.status])],
      ['Joined', p.attempt ? 'never (the attempt failed)' : formatTimeMs(s.joined_at, tz)],
      ['Left', p.attempt ? formatTimeMs(s.left_at, tz) : s.left_at === null ? 'still in the room' : formatTimeMs(s.left_at, tz)],
      ['Duration', formatDurationMs(s.duration_ms)],
      ['Reason', s.reason === null ? 'none given' : h('code', {}, s.reason)],
      ['Ended by', endedByLabel(s.ended_by)],
      ['Device', s.ue_type],
      ['Media', mediaText(s, tz)],
      ['Flags', s.flags.length === 0 ? 'none' : s.flags.map((f) => f.code).join(', ')],
    ], { 'data-testid': 'stay-facts' }));
}

/** The media a stay opened with, then each change: `Video → Audio at 18:42:05.123`. */
export function mediaText(s: GroupStay, tz: string): string {
  return [callTypeLabel(s.media_type), ...s.media_changes.map((c) => `${callTypeLabel(c.media_type)} at ${formatTimeMs(c.ts, tz)}`)].join(' → ');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
