import { GROUP_CALL_FIELDS, type GroupCallEvent } from '../../domain/group-call-event.js';
import type { GroupSession, ParticipantStay } from '../../domain/group/group-session.js';
import type { GroupCallSummary, GroupCallEventRecord, GroupStateClock, StoredGroupCall } from '../port.js';
import type { CallColumn } from './call-columns.js';
import type { GroupSessionsTable, GroupStaysTable } from './schema-types.js';
import { nullableNumber } from './column-values.js';

/**
 * The columns of group_call_events a delivery fills (migration 15) with their types: its
 * fields in spec order, then what callevt knows of it. PostgreSQL's batch insert casts its
 * `unnest` arrays by these types.
 */
export const GROUP_EVENT_INSERT_TYPED_COLUMNS: readonly CallColumn[] = [
  ...GROUP_CALL_FIELDS,
  { name: 'extra', column: 'text' },
  { name: 'content_hash', column: 'text' },
  { name: 'received_at', column: 'int64' },
  { name: 'raw_request_id', column: 'int64' },
];

/** The names of GROUP_EVENT_INSERT_TYPED_COLUMNS, in order. */
export const GROUP_EVENT_INSERT_COLUMNS: readonly string[] = GROUP_EVENT_INSERT_TYPED_COLUMNS.map((c) => c.name);

/** The values of GROUP_EVENT_INSERT_COLUMNS for one event; `text` adapts strings to the database (PostgreSQL: no U+0000). */
export function groupEventValues(record: GroupCallEventRecord, rawRequestId: number, text: (s: string) => string = (s) => s): unknown[] {
  return groupEventColumnValues(record.groupEvent, { contentHash: record.contentHash, receivedAt: record.raw.receivedAt, rawRequestId }, text);
}

/** What callevt knows of a stored group event beside its fields: the last columns of GROUP_EVENT_INSERT_COLUMNS. */
export interface GroupEventReceipt {
  contentHash: string;
  /** Unix milliseconds. */
  receivedAt: number;
  /** 0 for an event written without a raw request (`callevt seed --group`). */
  rawRequestId: number;
}

/** The values of GROUP_EVENT_INSERT_COLUMNS for an event and its receipt (the seeder writes events that no request carried). */
export function groupEventColumnValues(event: GroupCallEvent, receipt: GroupEventReceipt, text: (s: string) => string = (s) => s): unknown[] {
  const facts = event as unknown as Record<string, unknown>;
  return [
    ...GROUP_CALL_FIELDS.map((f) => {
      const value = facts[f.name];
      return typeof value === 'string' ? text(value) : (value ?? null);
    }),
    text(JSON.stringify(event.extra)),
    receipt.contentHash,
    receipt.receivedAt,
    receipt.rawRequestId,
  ];
}

/** A stored group_call_events row back as the event it was parsed into (integers may come as text from PostgreSQL). */
export function groupEventOfRow(row: Record<string, unknown>): GroupCallEvent {
  const event: Record<string, unknown> = {};
  for (const field of GROUP_CALL_FIELDS) {
    const value = row[field.name] ?? null;
    event[field.name] = value === null || field.column === 'text' ? value : Number(value);
  }
  event.extra = JSON.parse(String(row.extra));
  return event as unknown as GroupCallEvent;
}

/**
 * The fields of a stored event that buildGroupSession reads (its rules, docs/spec/group-calls.md
 * §1-3): not the times LINE Planet reports beside ts, stid, app_svr_data nor the release codes
 * of the room (rel_code, rel_code_str), nor `extra`. The builder's only use of a whole event,
 * the canonical form that breaks ties between versions of one key, never arises among stored
 * events (one per key). The contract tests compare stored sessions with the builder's answer
 * for the whole events: a builder that came to read another field fails them.
 */
const GROUP_BUILD_FIELDS = new Set(['sid', 'svc_id', 'id', 'user_svc_id', 'user_id', 'host_svc_id', 'host_id', 'sc', 'msc', 'online',
  'media_type', 'ts', 'ue_type', 'display_name', 'disconnect_reason', 'releaser_type']);

/** The columns of group_call_events a rebuild reads: GROUP_BUILD_FIELDS and the conflict count. */
export const GROUP_EVENT_BUILD_COLUMNS: readonly string[] = [...GROUP_CALL_FIELDS.map((f) => f.name).filter((name) => GROUP_BUILD_FIELDS.has(name)), 'conflicts'];

/** A row of GROUP_EVENT_BUILD_COLUMNS as the event the builder takes (the fields it does not read null, `extra` empty). */
export function groupEventOfBuildRow(row: Record<string, unknown>): GroupCallEvent {
  const event: Record<string, unknown> = {};
  for (const field of GROUP_CALL_FIELDS) {
    const value = row[field.name] ?? null;
    event[field.name] = value === null || field.column === 'text' ? value : Number(value);
  }
  event.extra = {};
  return event as unknown as GroupCallEvent;
}

/** The group_sessions row of a session; `lastEventAt` and `conflicts` come from its stored events. */
export function groupSessionRowOf(session: GroupSession, facts: { lastEventAt: number; conflicts: number }): GroupSessionsTable {
  return {
    sid: session.sid,
    svc_id: session.svc_id,
    id: session.id,
    host_svc_id: session.host_svc_id,
    host_id: session.host_id,
    media_type: session.media_type,
    state: session.ended_at === null ? 'in_progress' : 'ended',
    started_at: session.started_at,
    ended_at: session.ended_at,
    duration_ms: session.duration_ms,
    last_event_at: facts.lastEventAt,
    participants: session.participants,
    peak_online: session.peak_online,
    final_online: session.final_online,
    peak_stays: session.peak_stays,
    event_count: session.event_count,
    conflicts: facts.conflicts,
    flags: JSON.stringify(session.flags),
    rules_version: session.rules_version,
  };
}

/** The group_stays rows of a session, numbered in the builder's order. */
export function groupStayRowsOf(session: GroupSession): GroupStaysTable[] {
  return session.stays.map((stay, seq) => groupStayRowOf(session.sid, seq, stay));
}

/** The group_stays row of one stay of session `sid`, numbered `seq`. */
export function groupStayRowOf(sid: string, seq: number, stay: ParticipantStay): GroupStaysTable {
  return {
    sid,
    seq,
    user_svc_id: stay.user_svc_id,
    user_id: stay.user_id,
    display_name: stay.display_name,
    ue_type: stay.ue_type,
    media_type: stay.media_type,
    media_changes: JSON.stringify(stay.media_changes),
    joined_at: stay.joined_at,
    left_at: stay.left_at,
    duration_ms: stay.duration_ms,
    stay_end: stay.end,
    disconnect_reason: stay.disconnect_reason,
    releaser_type: stay.releaser_type,
    status: stay.status,
    ended_by: stay.ended_by,
    reason: stay.reason,
    explanation: stay.explanation,
    flags: JSON.stringify(stay.flags),
  };
}

/** A group_sessions row as the API's session, its state read with the clock (docs/spec/group-calls.md §1.5). */
export function groupSummaryOfRow(row: GroupSessionsTable, clock: GroupStateClock): GroupCallSummary {
  const endedAt = nullableNumber(row.ended_at);
  const lastEventAt = Number(row.last_event_at);
  const dueAt = endedAt === null ? lastEventAt + clock.deadlineMs : null;
  return {
    sid: row.sid,
    svc_id: row.svc_id,
    id: row.id,
    host_svc_id: row.host_svc_id,
    host_id: row.host_id,
    media_type: row.media_type as GroupSession['media_type'],
    state: endedAt !== null ? 'ended' : dueAt !== null && clock.now > dueAt ? 'end_missing' : 'in_progress',
    started_at: Number(row.started_at),
    ended_at: endedAt,
    duration_ms: nullableNumber(row.duration_ms),
    end_due_at: dueAt,
    last_event_at: lastEventAt,
    participants: Number(row.participants),
    peak_online: Number(row.peak_online),
    final_online: Number(row.final_online),
    peak_stays: Number(row.peak_stays),
    event_count: Number(row.event_count),
    conflicts: Number(row.conflicts),
    flags: JSON.parse(row.flags),
    rules_version: Number(row.rules_version),
  };
}

/** A session row with its stay rows (in seq order) as the stored group call. */
export function groupCallOfRows(row: GroupSessionsTable, stays: readonly GroupStaysTable[], clock: GroupStateClock): StoredGroupCall {
  return { ...groupSummaryOfRow(row, clock), stays: stays.map(stayOfRow) };
}

/** A group_stays row as the stay it was written from. */
export function stayOfRow(row: GroupStaysTable): ParticipantStay {
  return {
    user_svc_id: row.user_svc_id,
    user_id: row.user_id,
    display_name: row.display_name,
    ue_type: row.ue_type,
    media_type: row.media_type as ParticipantStay['media_type'],
    media_changes: JSON.parse(row.media_changes),
    joined_at: nullableNumber(row.joined_at),
    left_at: nullableNumber(row.left_at),
    duration_ms: nullableNumber(row.duration_ms),
    end: row.stay_end as ParticipantStay['end'],
    disconnect_reason: nullableNumber(row.disconnect_reason),
    releaser_type: nullableNumber(row.releaser_type),
    status: row.status as ParticipantStay['status'],
    ended_by: row.ended_by as ParticipantStay['ended_by'],
    reason: row.reason,
    explanation: row.explanation,
    flags: JSON.parse(row.flags),
  };
}

