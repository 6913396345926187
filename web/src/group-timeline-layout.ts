/**
 * Where a room's participant timeline puts things: one lane per participant, each stay
 * from its join to its leave, on a time scale. Pure (no DOM, the current time is a
 * parameter), so tests can lay out the API's answer and compare it with the screen.
 */
import type { GroupCallJson, GroupStay } from './api-types.js';

/** A stay placed on the time scale. */
export interface PlacedStay {
  /** Its index in the API's `stays`. */
  index: number;
  stay: GroupStay;
  /** Unix ms: the join, or for a failed attempt the time it failed. */
  start: number;
  /** Unix ms: the leave; an open stay runs to the session's end or `now`. */
  end: number;
  /** Still in the room: no leave yet. */
  open: boolean;
  /** A join attempt that never got in (no `joined_at`): a mark, not a bar. */
  attempt: boolean;
}

/** One participant's lane. */
export interface Lane {
  user_svc_id: string;
  user_id: string;
  display_name: string | null;
  stays: PlacedStay[];
}

export interface TimelineLayout {
  /** The time scale, Unix ms, `from` < `to`. */
  from: number;
  to: number;
  /** Where open stays end: the session's end, or `now` while it has none. */
  openEnd: number;
  lanes: Lane[];
}

/** The shortest time scale drawn, in ms: a room of one instant still gets a visible width. */
const MIN_SPAN_MS = 1_000;

/**
 * Lays out a room: lanes in the order participants first appear (then by user), the
 * scale from the earliest of the start and every stay to the latest of the end (or `now`
 * while there is none) and every stay.
 */
export function layoutTimeline(call: GroupCallJson, nowMs: number): TimelineLayout {
  const openEnd = call.ended_at ?? Math.max(nowMs, call.last_event_at);
  const placed: PlacedStay[] = call.stays.map((stay, index) => {
    const attempt = stay.joined_at === null;
    const start = stay.joined_at ?? stay.left_at ?? call.started_at;
    const end = attempt ? start : stay.left_at ?? Math.max(openEnd, start);
    return { index, stay, start, end, open: !attempt && stay.left_at === null, attempt };
  });
  const times = [call.started_at, openEnd, ...placed.flatMap((p) => [p.start, p.end, ...p.stay.media_changes.map((c) => c.ts)])];
  const from = Math.min(...times);
  const to = Math.max(from + MIN_SPAN_MS, ...times);

  const lanes = new Map<string, Lane>();
  for (const p of [...placed].sort((a, b) => a.start - b.start || a.index - b.index)) {
    const key = JSON.stringify([p.stay.user_svc_id, p.stay.user_id]);
    let lane = lanes.get(key);
    if (lane === undefined) {
      lane = { user_svc_id: p.stay.user_svc_id, user_id: p.stay.user_id, display_name: p.stay.display_name, stays: [] };
      lanes.set(key, lane);
    }
    lane.display_name ??= p.stay.display_name;
    lane.stays.push(p);
  }
  return { from, to, openEnd, lanes: [...lanes.values()] };
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Tick steps the axis chooses from, in ms. */
const TICK_STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR,
];

/** Tick times for an axis over [from, to]: round multiples of a step, at most about `most` of them. */
export function timeTicks(from: number, to: number, most = 6): number[] {
  const span = to - from;
  const step = TICK_STEPS.find((s) => span / s <= most) ?? Math.ceil(span / most / (24 * HOUR)) * 24 * HOUR;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}
