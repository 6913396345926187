import type { GroupCallEvent } from '../../domain/group-call-event.js';
import {
  canUpdateOpenSession,
  type OpenSessionFacts,
  type ParticipantHistory,
  type SessionUpdate,
  type ParticipantPlace,
  type StayPlace,
  planOpenSessionUpdate,
  updateOpenSession,
} from '../../domain/group/update-open-session.js';
import { GROUP_RULES_VERSION } from '../../domain/group/stay-status.js';
import type { GroupCallEventRecord, RecordResult } from '../port.js';
import { GROUP_EVENT_BUILD_COLUMNS, groupEventOfBuildRow, groupStayRowOf, groupSummaryOfRow } from './group-call-rows.js';
import { nullableNumber } from './column-values.js';
import { markGroupSlotsStale } from './group-rollup-refresh.js';
import { rebuildGroupSessions } from './record-group-events.js';
import type { GroupSessionsTable, GroupStaysTable } from './schema-types.js';
import { type SqlDialectName, type SqlSteps, sql } from './sql-steps.js';
import { insertRowsIn, updateChangedRows } from './write-changed-rows.js';

/** A group delivery of the batch and what recording it gave. */
export interface RecordedGroupEvent {
  record: GroupCallEventRecord;
  result: RecordResult;
}

/**
 * Brings every room session a batch changed up to date (docs/spec/group-calls.md §1-3).
 * A session that has not ended, given changes (`sc=C`) of its room, is updated through the
 * new events' participants alone (updateOpenSession): their stays rebuilt from their own
 * events, the session's columns from its stored row, plus what its plan needs read (the
 * stays' counts when stays open in order; every stay's place when a late event moves a
 * join or a leave). Any other change (a start, an end, a conflicting version, a session of
 * older rules, a tie the places cannot order) rebuilds the session from all its events.
 * Both write the rows a rebuild from scratch would (test/contract/group-call-rebuild-rows.test.ts).
 */
export function* applyGroupEvents(dialect: SqlDialectName, recorded: readonly RecordedGroupEvent[]): SqlSteps<void> {
  const fresh = new Map<string, GroupCallEvent[]>();
  const rebuild = new Set<string>();
  for (const { record, result } of recorded) {
    const sid = record.groupEvent.sid;
    if (result === 'conflict') rebuild.add(sid);
    else if (result === 'accepted') fresh.set(sid, [...(fresh.get(sid) ?? []), record.groupEvent]);
  }
  const candidates = [...fresh.keys()].filter((sid) => !rebuild.has(sid)).sort();
  const stored = yield* selectBySid(dialect, 'SELECT * FROM group_sessions', candidates);
  const updatable: Array<{ row: GroupSessionsTable; facts: StoredOpenFacts; events: GroupCallEvent[]; participants: SessionParticipant[] }> = [];
  for (const sid of candidates) {
    const row = stored.get(sid)?.[0] as GroupSessionsTable | undefined;
    const events = fresh.get(sid) as GroupCallEvent[];
    const facts = row === undefined ? null : openFactsOf(row);
    if (row === undefined || facts === null || !canUpdateOpenSession(facts, events)) rebuild.add(sid);
    else updatable.push({ row, facts, events, participants: participantsOf(sid, events) });
  }
  const histories = yield* selectParticipantHistories(dialect, updatable.flatMap((u) => u.participants));
  const planned = updatable.map((u) => {
    const mine = u.participants.map((p) => histories.get(participantKey(p)) as StoredHistory);
    return { ...u, mine, plan: planOpenSessionUpdate(u.facts, u.events, mine) };
  });
  // What else each update reads: nothing, the stays' counts, or every stay's place (its plan's StaysNeeded).
  const counts = yield* selectBySid(dialect, STAY_COUNTS, planned.filter((u) => u.plan.needs === 'counts').map((u) => u.row.sid), ' GROUP BY sid');
  const places = yield* selectBySid(dialect, stayPlacesSql(dialect), planned.filter((u) => u.plan.needs === 'places').map((u) => u.row.sid), ' GROUP BY sid');
  const writes: StayWrites = { sessions: [], stays: [], added: [], reordered: [] };
  const starts: number[] = [];
  for (const { row, facts, events, mine, plan } of planned) {
    const sid = row.sid;
    const count = counts.get(sid)?.[0];
    const update = updateOpenSession(
      { ...facts, stay_count: Number(count?.stay_count ?? 0), open_stays: Number(count?.open_stays ?? 0) },
      events,
      plan,
      plan.needs === 'places' ? stayPlacesOf(places.get(sid)?.[0]?.places) : null,
    );
    if (update === null) {
      rebuild.add(sid);
      continue;
    }
    addWrites(writes, row, update, new Map(mine.flatMap((h) => h.rows).map((r) => [Number(r.seq), r])));
    starts.push(Number(row.started_at));
  }
  yield* writeUpdates(dialect, writes);
  yield* markGroupSlotsStale(starts);
  yield* rebuildGroupSessions(dialect, [...rebuild].sort());
}

/** The writes of a batch's session updates, gathered so that PostgreSQL makes them a few statements for the whole batch. */
interface StayWrites {
  sessions: Array<{ stored: object; row: object }>;
  stays: Array<{ stored: object; row: object }>;
  added: GroupStaysTable[];
  /** Sessions whose stays are deleted or move. */
  reordered: Array<{ sid: string; vacated: number[]; moves: SessionUpdate['moves'] }>;
}

function addWrites(writes: StayWrites, stored: GroupSessionsTable, update: SessionUpdate, storedStays: ReadonlyMap<number, GroupStaysTable>): void {
  const sid = stored.sid;
  writes.sessions.push({ stored, row: { sid, ...update.session, flags: JSON.stringify(update.session.flags) } });
  for (const { seq, stay } of update.stays) {
    const row = groupStayRowOf(sid, seq, stay);
    const before = storedStays.get(seq);
    if (before === undefined) writes.added.push(row);
    else writes.stays.push({ stored: before, row });
  }
  if (update.vacated.length > 0 || update.moves.length > 0) writes.reordered.push({ sid, vacated: update.vacated, moves: update.moves });
}

/**
 * Writes the updates: the participants' seqs no stay takes again deleted, the other stays
 * that move shifted, the sessions and the participants' stays updated in place or inserted.
 * A move goes through a negative seq (-1 - its new seq) and back, so that no two rows ever
 * hold one seq, whatever order the database updates rows in.
 */
function* writeUpdates(dialect: SqlDialectName, writes: StayWrites): SqlSteps<void> {
  for (const { sid, vacated, moves } of writes.reordered) {
    for (const seq of vacated) yield sql('DELETE FROM group_stays WHERE sid = ? AND seq = ?', sid, seq);
    for (const run of runsOf(moves)) {
      yield sql('UPDATE group_stays SET seq = -1 - (seq + ?) WHERE sid = ? AND seq >= ? AND seq <= ?', run.shift, sid, run.from, run.to);
    }
  }
  yield* updateChangedRows(dialect, 'group_sessions', ['sid'], writes.sessions);
  yield* updateChangedRows(dialect, 'group_stays', ['sid', 'seq'], writes.stays);
  yield* insertRowsIn(dialect, 'group_stays', writes.added);
  for (const { sid, moves } of writes.reordered) if (moves.length > 0) yield sql('UPDATE group_stays SET seq = -1 - seq WHERE sid = ? AND seq < 0', sid);
}

/** Moves as runs of consecutive seqs that shift alike (one statement each; a late join shifts everything after it by one). */
function runsOf(moves: SessionUpdate['moves']): Array<{ from: number; to: number; shift: number }> {
  const runs: Array<{ from: number; to: number; shift: number }> = [];
  for (const { from, to } of moves) {
    const run = runs.at(-1);
    if (run !== undefined && run.to === from - 1 && run.shift === to - from) run.to = from;
    else runs.push({ from, to: from, shift: to - from });
  }
  return runs;
}

/** How many stays a session has, and how many of them joined and have not left. */
const STAY_COUNTS = `SELECT sid, COUNT(*) AS stay_count, SUM(CASE WHEN joined_at IS NOT NULL AND left_at IS NULL THEN 1 ELSE 0 END) AS open_stays
  FROM group_stays`;

/**
 * Where each stay of a session stands (StayPlace), as one text per session: `seq join leave`
 * triples, `-` for none. A room's hundreds of stays come back as one value instead of a row
 * each, which the drivers would build into an object each (the index group_stays_places
 * holds every column read: the stays' rows are not read).
 */
function stayPlacesSql(dialect: SqlDialectName): string {
  const place = "CAST(seq AS TEXT) || ' ' || COALESCE(CAST(joined_at AS TEXT), '-') || ' ' || COALESCE(CAST(left_at AS TEXT), '-')";
  return `SELECT sid, ${dialect === 'postgres' ? `string_agg(${place}, ' ')` : `group_concat(${place}, ' ')`} AS places FROM group_stays`;
}

function stayPlacesOf(text: unknown): StayPlace[] {
  const parts = typeof text === 'string' && text !== '' ? text.split(' ') : [];
  const places: StayPlace[] = [];
  const at = (i: number) => (parts[i] === '-' ? null : Number(parts[i]));
  for (let i = 0; i + 2 < parts.length; i += 3) places.push({ seq: Number(parts[i]), joined_at: at(i + 1), left_at: at(i + 2) });
  return places;
}

function participantPlaceOf(row: GroupStaysTable): ParticipantPlace {
  return {
    seq: Number(row.seq),
    user_svc_id: row.user_svc_id,
    user_id: row.user_id,
    joined_at: nullableNumber(row.joined_at),
    left_at: nullableNumber(row.left_at),
  };
}

/** OpenSessionFacts but for the stay counts, which only some updates read (STAY_COUNTS). */
type StoredOpenFacts = Omit<OpenSessionFacts, 'stay_count' | 'open_stays'>;

/** What updateOpenSession needs of a stored session (its stay counts aside); null when it must be rebuilt (ended, or built by older rules). */
function openFactsOf(row: GroupSessionsTable): StoredOpenFacts | null {
  // The clock only decides in_progress against end_missing, which plays no part here.
  const session = groupSummaryOfRow(row, { now: 0, deadlineMs: 0 });
  return session.ended_at !== null || session.rules_version !== GROUP_RULES_VERSION ? null : session;
}

/** A participant of a session. */
interface SessionParticipant {
  sid: string;
  user_svc_id: string;
  user_id: string;
}

/** A participant's stored events and stays, with the stay rows as stored (what changed is compared against them). */
interface StoredHistory extends ParticipantHistory {
  rows: GroupStaysTable[];
}

function participantKey(p: SessionParticipant): string {
  return JSON.stringify([p.sid, p.user_svc_id, p.user_id]);
}

/** The distinct participants of a session's events, in first-seen order. */
function participantsOf(sid: string, events: readonly GroupCallEvent[]): SessionParticipant[] {
  const seen = new Map<string, SessionParticipant>();
  for (const e of events) {
    const p = { sid, user_svc_id: e.user_svc_id, user_id: e.user_id };
    seen.set(participantKey(p), p);
  }
  return [...seen.values()];
}

/**
 * Rows of `select` for each sid, grouped by sid. PostgreSQL reads every sid in one round
 * trip (`= ANY` of an array: one statement text whatever the count); SQLite, which has no
 * round trip, runs one prepared statement per sid.
 */
function* selectBySid(dialect: SqlDialectName, select: string, sids: readonly string[], tail = ''): SqlSteps<Map<string, Array<Record<string, unknown>>>> {
  const bySid = new Map<string, Array<Record<string, unknown>>>();
  const add = (rows: Array<Record<string, unknown>>) => {
    for (const row of rows) bySid.set(String(row.sid), [...(bySid.get(String(row.sid)) ?? []), row]);
  };
  if (sids.length === 0) return bySid;
  if (dialect === 'postgres') add((yield sql(`${select} WHERE sid = ANY(?::text[])${tail}`, sids)).rows);
  else for (const sid of sids) add((yield sql(`${select} WHERE sid = ?${tail}`, sid)).rows);
  return bySid;
}

const SELECT_PARTICIPANT_EVENTS = `SELECT ${GROUP_EVENT_BUILD_COLUMNS.join(', ')} FROM group_call_events`;

/** Each participant's stored events and stays (the events by the primary key's prefix, the stays by group_stays_participant). */
function* selectParticipantHistories(dialect: SqlDialectName, participants: readonly SessionParticipant[]): SqlSteps<Map<string, StoredHistory>> {
  const events = new Map<string, GroupCallEvent[]>(participants.map((p) => [participantKey(p), []]));
  const stays = new Map<string, GroupStaysTable[]>(participants.map((p) => [participantKey(p), []]));
  const keyOf = (row: Record<string, unknown>) => participantKey({ sid: String(row.sid), user_svc_id: String(row.user_svc_id), user_id: String(row.user_id) });
  const addEvents = (rows: Array<Record<string, unknown>>) => {
    for (const row of rows) events.get(keyOf(row))?.push(groupEventOfBuildRow(row));
  };
  const addStays = (rows: Array<Record<string, unknown>>) => {
    for (const row of rows) stays.get(keyOf(row))?.push(row as unknown as GroupStaysTable);
  };
  if (dialect === 'postgres' && participants.length > 0) {
    const keys = [participants.map((p) => p.sid), participants.map((p) => p.user_svc_id), participants.map((p) => p.user_id)];
    const among = '(sid, user_svc_id, user_id) IN (SELECT * FROM unnest(?::text[], ?::text[], ?::text[]))';
    addEvents((yield sql(`${SELECT_PARTICIPANT_EVENTS} WHERE ${among}`, ...keys)).rows);
    addStays((yield sql(`SELECT * FROM group_stays WHERE ${among}`, ...keys)).rows);
  } else {
    for (const p of participants) {
      addEvents((yield sql(`${SELECT_PARTICIPANT_EVENTS} WHERE sid = ? AND user_svc_id = ? AND user_id = ?`, p.sid, p.user_svc_id, p.user_id)).rows);
      addStays((yield sql('SELECT * FROM group_stays WHERE user_id = ? AND user_svc_id = ? AND sid = ?', p.user_id, p.user_svc_id, p.sid)).rows);
    }
  }
  const histories = new Map<string, StoredHistory>();
  for (const [key, rows] of stays) {
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    histories.set(key, {
      events: events.get(key) as GroupCallEvent[],
      rows,
      stays: rows.map(participantPlaceOf),
    });
  }
  return histories;
}
