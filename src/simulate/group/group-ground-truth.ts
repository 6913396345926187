import type { GroupFigures } from '../../domain/group/group-figures.js';
import type { GroupSession, ParticipantStay } from '../../domain/group/group-session.js';
import { buildGroupSession } from '../../domain/group/build-group-session.js';
import { summarizeGroupSessions } from '../../domain/group/summarize-group-sessions.js';
import type { GroupTrafficOptions } from './group-traffic-options.js';
import type { GroupPlan } from './plan-group-traffic.js';
import { answersByStatus, type GroupRunResult } from './run-group-simulation.js';

/** The `format` of the first line of every group ground-truth file. */
export const GROUP_GROUND_TRUTH_FORMAT = 'callevt-group-ground-truth';
export const GROUP_GROUND_TRUTH_VERSION = 1;

/** First line: how the rooms were made, and the clock the sessions' state was computed with. */
export interface GroupTruthMeta {
  kind: 'meta';
  format: typeof GROUP_GROUND_TRUTH_FORMAT;
  version: typeof GROUP_GROUND_TRUTH_VERSION;
  seed: string;
  epoch: number;
  span_sec: number;
  /** The GROUP_END_DEADLINE assumed: each unended room's `end_due_at` follows from it. */
  end_deadline_ms: number;
  /** Unix milliseconds: the `now` the sessions' `state` was computed at (the end of the run). */
  state_at: number;
}

/** One room: the session and stays buildGroupSession gives its events as generated, and what was sent of them. */
export interface GroupTruthRoom {
  kind: 'room';
  sid: string;
  session: Omit<GroupSession, 'stays'>;
  stays: ParticipantStay[];
  /** Distinct events of the room. */
  events: number;
  /** Requests sent for them (duplicates included; retries not). */
  deliveries_sent: number;
  duplicates_sent: number;
  legacy_sent: number;
  /** Events no delivery of which was answered 2xx: callevt may not hold them, and its session may differ. */
  unacknowledged_events: number;
}

/** The group figures (docs/spec/group-calls.md §4) of every room of the run: they all start in [from, to). */
export interface GroupTruthFigures {
  kind: 'figures';
  /** Unix milliseconds, from inclusive, to exclusive. */
  from: number;
  to: number;
  figures: GroupFigures;
}

/** Last line: the counts of what was sent. */
export interface GroupTruthTotals {
  kind: 'totals';
  rooms: number;
  rooms_never_ending: number;
  events: number;
  requests: number;
  duplicates_sent: number;
  legacy_sent: number;
  unacknowledged_events: number;
  /** Requests by the status of their last attempt (`none`: no answer). */
  answers: Record<string, number>;
}

/** A whole group ground-truth file. */
export interface GroupGroundTruth {
  meta: GroupTruthMeta;
  rooms: GroupTruthRoom[];
  figures: GroupTruthFigures;
  totals: GroupTruthTotals;
}

/** The ground truth of a group run: its plan, what was sent and answered, and the clock (`stateAt`, Unix ms) for the sessions' state. */
export function groupGroundTruth(options: GroupTrafficOptions, plan: GroupPlan, result: Pick<GroupRunResult, 'statuses' | 'acknowledged'>, stateAt: number): GroupGroundTruth {
  const clock = { now: stateAt, deadlineMs: options.endDeadlineMs };
  const sent = new Map<string, { deliveries: number; duplicates: number; legacy: number }>();
  const ackedKeys = new Set<string>();
  plan.deliveries.forEach((delivery, i) => {
    const status = result.statuses[i];
    if (status === undefined) return;
    const counts = sent.get(delivery.sid) ?? { deliveries: 0, duplicates: 0, legacy: 0 };
    counts.deliveries++;
    if (delivery.role === 'duplicate') counts.duplicates++;
    if (delivery.shape === 'legacy') counts.legacy++;
    sent.set(delivery.sid, counts);
    if (result.acknowledged[i]) ackedKeys.add(delivery.key);
  });
  const keysOf = new Map<string, Set<string>>();
  for (const delivery of plan.deliveries) {
    const keys = keysOf.get(delivery.sid) ?? new Set<string>();
    keys.add(delivery.key);
    keysOf.set(delivery.sid, keys);
  }
  const sessions: GroupSession[] = [];
  const rooms = plan.rooms.map((room): GroupTruthRoom => {
    const built = buildGroupSession(room.events, clock);
    if (built === null) throw new Error(`room ${room.sid} has no event`);
    sessions.push(built);
    const { stays, ...session } = built;
    const counts = sent.get(room.sid) ?? { deliveries: 0, duplicates: 0, legacy: 0 };
    const keys = [...(keysOf.get(room.sid) ?? [])];
    return {
      kind: 'room', sid: room.sid, session, stays, events: room.events.length,
      deliveries_sent: counts.deliveries, duplicates_sent: counts.duplicates, legacy_sent: counts.legacy,
      unacknowledged_events: keys.filter((key) => !ackedKeys.has(key)).length,
    };
  });
  const to = options.epoch * 1000;
  return {
    meta: {
      kind: 'meta', format: GROUP_GROUND_TRUTH_FORMAT, version: GROUP_GROUND_TRUTH_VERSION, seed: options.seed, epoch: options.epoch,
      span_sec: options.spanSec, end_deadline_ms: options.endDeadlineMs, state_at: stateAt,
    },
    rooms,
    figures: { kind: 'figures', from: to - options.spanSec * 1000, to, figures: summarizeGroupSessions(sessions) },
    totals: {
      kind: 'totals',
      rooms: rooms.length,
      rooms_never_ending: plan.rooms.filter((room) => !room.ended).length,
      events: rooms.reduce((n, r) => n + r.events, 0),
      requests: rooms.reduce((n, r) => n + r.deliveries_sent, 0),
      duplicates_sent: rooms.reduce((n, r) => n + r.duplicates_sent, 0),
      legacy_sent: rooms.reduce((n, r) => n + r.legacy_sent, 0),
      unacknowledged_events: rooms.reduce((n, r) => n + r.unacknowledged_events, 0),
      answers: answersByStatus(result.statuses),
    },
  };
}

/** The ground truth as NDJSON lines (each ends with a newline): meta, rooms, figures, totals. */
export function* groupGroundTruthLines(truth: GroupGroundTruth): Generator<string> {
  yield `${JSON.stringify(truth.meta)}\n`;
  for (const room of truth.rooms) yield `${JSON.stringify(room)}\n`;
  yield `${JSON.stringify(truth.figures)}\n`;
  yield `${JSON.stringify(truth.totals)}\n`;
}

/** Reads a group ground-truth file; throws an Error naming the line when the text is not one. */
export function parseGroupGroundTruth(text: string): GroupGroundTruth {
  let meta: GroupTruthMeta | null = null;
  let figures: GroupTruthFigures | null = null;
  let totals: GroupTruthTotals | null = null;
  const rooms: GroupTruthRoom[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: GroupTruthMeta | GroupTruthRoom | GroupTruthFigures | GroupTruthTotals;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`group ground truth line ${i + 1} is not JSON`);
    }
    if (value.kind === 'meta') {
      if (value.format !== GROUP_GROUND_TRUTH_FORMAT || value.version !== GROUP_GROUND_TRUTH_VERSION) {
        throw new Error(`group ground truth line ${i + 1}: not a ${GROUP_GROUND_TRUTH_FORMAT} file of version ${GROUP_GROUND_TRUTH_VERSION}`);
      }
      meta = value;
    } else if (value.kind === 'room') rooms.push(value);
    else if (value.kind === 'figures') figures = value;
    else if (value.kind === 'totals') totals = value;
    else throw new Error(`group ground truth line ${i + 1} has an unknown kind`);
  });
  if (meta === null) throw new Error(`not a group ground-truth file: no "${GROUP_GROUND_TRUTH_FORMAT}" meta line`);
  if (figures === null || totals === null) throw new Error('the group ground-truth file is incomplete: no figures or totals line');
  return { meta, rooms, figures, totals };
}
