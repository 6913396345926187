import { buildGroupSession } from '../../domain/group/build-group-session.js';
import type { CallbackRecord, GroupCallEventRecord, RecordResult } from '../port.js';
import { GROUP_EVENT_BUILD_COLUMNS, GROUP_EVENT_INSERT_COLUMNS, groupEventOfBuildRow, groupEventValues, groupSessionRowOf, groupStayRowsOf } from './group-call-rows.js';
import { markGroupSlotsStale } from './group-rollup-refresh.js';
import type { GroupStaysTable } from './schema-types.js';
import { placeholders, type SqlDialectName, type SqlSteps, sql } from './sql-steps.js';
import { insertRows, insertRowsIn, updateChanged, updateChangedRows } from './write-changed-rows.js';

/** The kind callback_conflicts files a group event's conflicting versions under. */
export const GROUP_CONFLICT_KIND = 'group-call-event';

/** The first key of PostgreSQL's two-key advisory locks taken per group sid (the second is the sid's hash). */
const GROUP_LOCK_SPACE = 15;

const INSERT_EVENT = `INSERT INTO group_call_events (${GROUP_EVENT_INSERT_COLUMNS.join(', ')}) VALUES (${placeholders(GROUP_EVENT_INSERT_COLUMNS.length)})`;
const SELECT_EVENT_HASH = 'SELECT content_hash FROM group_call_events WHERE sid = ? AND user_svc_id = ? AND user_id = ? AND sc = ? AND msc = ? AND ts = ?';
const COUNT_CONFLICT = 'UPDATE group_call_events SET conflicts = conflicts + 1 WHERE sid = ? AND user_svc_id = ? AND user_id = ? AND sc = ? AND msc = ? AND ts = ?';

/** The group sids of a batch's group events, sorted (locks and rebuilds go in this order). */
export function groupSidsOf(records: readonly CallbackRecord[]): string[] {
  return [...new Set(records.flatMap((r) => (r.kind === 'group-call-event' ? [r.groupEvent.sid] : [])))].sort();
}

/**
 * PostgreSQL: one transaction at a time records and updates each sid, so that a session
 * is always brought up to date from every event committed before it (two receivers taking
 * events of one room at once would each miss the other's). SQLite's IMMEDIATE transaction
 * already serialises every writer.
 */
export function* lockGroupSids(dialect: SqlDialectName, sids: readonly string[]): SqlSteps<void> {
  if (dialect !== 'postgres' || sids.length === 0) return;
  yield sql(LOCK_SIDS, GROUP_LOCK_SPACE, sids);
}

/**
 * Every sid's lock in one round trip, in the order of the lock keys themselves (the sids'
 * hashes), so that every batch takes them in one order and none can wait on another in a
 * cycle, even when two sids' hashes collide. The subquery sorts, and OFFSET 0 keeps the
 * planner from merging it into the outer query, so each lock is taken on a sorted row
 * (EXPLAIN VERBOSE: the lock above the Sort).
 */
const LOCK_SIDS = `SELECT pg_advisory_xact_lock(?, k)
  FROM (SELECT DISTINCT hashtext(s) AS k FROM unnest(?::text[]) AS s ORDER BY k OFFSET 0) AS sorted`;

/**
 * One Group Call Event delivery, in the batch's transaction (docs/spec/callbacks.md §2.3):
 * the first version of its key is the event, an identical repeat a duplicate, a differing
 * one a conflicting version kept in callback_conflicts. `rawIdOf` writes (or names) the
 * delivery's raw request once its result is known and returns its id. SQLite runs it per
 * delivery (its text columns take any string); PostgreSQL records a whole batch in a few statements (recordGroupEvents in
 * postgres/record-callbacks.ts) with the same results (test/contract/group-event-batches.test.ts).
 */
export function* recordGroupEvent(record: GroupCallEventRecord, rawIdOf: (result: RecordResult) => number): SqlSteps<RecordResult> {
  const e = record.groupEvent;
  const key = [e.sid, e.user_svc_id, e.user_id, e.sc, e.msc, e.ts];
  const stored = (yield sql(SELECT_EVENT_HASH, ...key)).rows[0];
  if (stored === undefined) {
    yield sql(INSERT_EVENT, ...groupEventValues(record, rawIdOf('accepted')));
    return 'accepted';
  }
  if (stored.content_hash === record.contentHash) {
    rawIdOf('duplicate');
    return 'duplicate';
  }
  const known = yield sql('SELECT 1 AS known FROM callback_conflicts WHERE kind = ? AND sid = ? AND content_hash = ?', GROUP_CONFLICT_KIND, e.sid, record.contentHash);
  if (known.rows.length > 0) {
    rawIdOf('duplicate');
    return 'duplicate';
  }
  yield sql(`INSERT INTO callback_conflicts (kind, sid, content_hash, content, received_at, raw_request_id) VALUES (?, ?, ?, ?, ?, ?)`,
    GROUP_CONFLICT_KIND, e.sid, record.contentHash, record.content, record.raw.receivedAt, rawIdOf('conflict'));
  yield sql(COUNT_CONFLICT, ...key);
  return 'conflict';
}

/**
 * Rebuilds the session and stays of each sid from all its stored events
 * (docs/spec/group-calls.md §1-3): the stored session is the builder's answer for the set of
 * events, whatever order and repeats they came in. Only what changed is written: the
 * session row's changed columns, the stays (by seq) whose columns changed, the new stays,
 * and the stays past the new last seq; the rows left are those a full rewrite would store.
 * A session's changed stays are one statement on PostgreSQL (updateChangedRows): an `sc=E`
 * closes every open stay of its room at once.
 */
export function* rebuildGroupSessions(dialect: SqlDialectName, sids: readonly string[]): SqlSteps<void> {
  // The group rollups' quarter-hours of each session's start before and after (a late sc=S
  // moves it), marked stale for the next statistics query to rebuild (group-rollup-refresh.ts).
  const starts: number[] = [];
  for (const sid of sids) {
    const rows = (yield sql(SELECT_BUILD_EVENTS, sid)).rows;
    // The stored session and stays: what the rebuild compares against. `stored.started_at`
    // is the session's quarter-hour slot before the rebuild (a late sc=S can move it).
    const stored = (yield sql('SELECT * FROM group_sessions WHERE sid = ?', sid)).rows[0];
    const storedStays = (yield sql('SELECT * FROM group_stays WHERE sid = ?', sid)).rows;
    if (stored !== undefined) starts.push(Number(stored.started_at));
    // The clock only decides in_progress against end_missing, which is read later with the
    // deadline (group-call-rows.ts): nothing stored depends on it.
    const session = buildGroupSession(rows.map(groupEventOfBuildRow), { now: 0, deadlineMs: 0 });
    if (session === null) {
      // No session any more (an erasure took its events): the stored one goes.
      if (storedStays.length > 0) yield sql('DELETE FROM group_stays WHERE sid = ?', sid);
      if (stored !== undefined) yield sql('DELETE FROM group_sessions WHERE sid = ?', sid);
      continue;
    }
    const lastEventAt = rows.reduce((latest, r) => Math.max(latest, Number(r.ts)), 0);
    const conflicts = rows.reduce((sum, r) => sum + Number(r.conflicts), 0);
    // `row.started_at`: the session's quarter-hour slot after the rebuild.
    const row = groupSessionRowOf(session, { lastEventAt, conflicts });
    starts.push(session.started_at);
    if (stored === undefined) yield insertRows('group_sessions', [row]);
    else yield* updateChanged('group_sessions', stored, row, ['sid']);
    const stays = groupStayRowsOf(session);
    const bySeq = new Map(storedStays.map((s) => [Number(s.seq), s]));
    const added: GroupStaysTable[] = [];
    const kept: Array<{ stored: object; row: GroupStaysTable }> = [];
    for (const stay of stays) {
      const before = bySeq.get(stay.seq);
      if (before === undefined) added.push(stay);
      else kept.push({ stored: before, row: stay });
    }
    yield* updateChangedRows(dialect, 'group_stays', ['sid', 'seq'], kept);
    yield* insertRowsIn(dialect, 'group_stays', added);
    if (storedStays.length > stays.length) yield sql('DELETE FROM group_stays WHERE sid = ? AND seq >= ?', sid, stays.length);
  }
  yield* markGroupSlotsStale(starts);
}

const SELECT_BUILD_EVENTS = `SELECT ${GROUP_EVENT_BUILD_COLUMNS.join(', ')} FROM group_call_events WHERE sid = ?`;
