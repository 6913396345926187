import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { STAY_STATUSES, type StayStatus } from '../../domain/group/stay-status.js';
import type { CallStore, GroupCallFilter, GroupCallListQuery, GroupCallPage, GroupStateClock, OpenGroupSessionCounts, ParticipantStay, StoredGroupCall } from '../port.js';
import { groupCallOfRows, groupSummaryOfRow, stayOfRow } from './group-call-rows.js';
import type { Database } from './schema-types.js';

/** The group call reads of the port, the same Kysely queries on either database. */
export function createGroupCallQueries(db: Kysely<Database>): Pick<CallStore, 'getGroupCall' | 'listGroupCalls' | 'listGroupStays' | 'countOpenGroupSessions' | 'countRecentGroupStays'> {
  return {
    getGroupCall: (sid, clock) => selectGroupCall(db, sid, clock),
    listGroupCalls: (query) => selectGroupCallPage(db, query),
    listGroupStays: (sids) => selectGroupStays(db, sids),
    countOpenGroupSessions: (clock) => countOpenGroupSessions(db, clock),
    countRecentGroupStays: (since) => countRecentGroupStays(db, since),
  };
}

/** The stays of a page of sessions (their primary key, sid then seq), grouped by sid. */
async function selectGroupStays(db: Kysely<Database>, sids: readonly string[]): Promise<Map<string, ParticipantStay[]>> {
  const bySid = new Map<string, ParticipantStay[]>();
  if (sids.length === 0) return bySid;
  const rows = await db.selectFrom('group_stays').selectAll().where('sid', 'in', [...sids]).orderBy('sid').orderBy('seq').execute();
  for (const row of rows) {
    let stays = bySid.get(row.sid);
    if (stays === undefined) bySid.set(row.sid, (stays = []));
    stays.push(stayOfRow(row));
  }
  return bySid;
}

/**
 * Sessions without sc=E, split at the end deadline like the list's `state` filter, in one
 * statement over the partial index group_sessions_open (which holds just those sessions:
 * ended ones leave it, so its size is the open and end_missing sessions retention keeps).
 */
async function countOpenGroupSessions(db: Kysely<Database>, clock: GroupStateClock): Promise<OpenGroupSessionCounts> {
  const cutoff = clock.now - clock.deadlineMs;
  const { rows } = await sql<{ open: number | string; in_progress: number | string | null }>`SELECT COUNT(*) AS open,
    COUNT(CASE WHEN last_event_at >= ${cutoff} THEN 1 END) AS in_progress
    FROM group_sessions WHERE ended_at IS NULL`.execute(db);
  const open = Number(rows[0]?.open ?? 0);
  const inProgress = Number(rows[0]?.in_progress ?? 0);
  return { in_progress: inProgress, end_missing: open - inProgress };
}

async function selectGroupCall(db: Kysely<Database>, sid: string, clock: GroupStateClock): Promise<StoredGroupCall | null> {
  // Stored in lower case without hyphens (docs/spec/callbacks.md §2.1): either spelling finds it.
  const key = sid.replaceAll('-', '').toLowerCase();
  const session = await db.selectFrom('group_sessions').selectAll().where('sid', '=', key).executeTakeFirst();
  if (session === undefined) return null;
  const stays = await db.selectFrom('group_stays').selectAll().where('sid', '=', key).orderBy('seq').execute();
  return groupCallOfRows(session, stays, clock);
}

/**
 * One page of sessions, newest start first, ties by sid descending. Keyset pagination:
 * the next page starts strictly below the last position, so sessions stored meanwhile
 * never shift or repeat the sessions of later pages.
 */
async function selectGroupCallPage(db: Kysely<Database>, query: GroupCallListQuery): Promise<GroupCallPage> {
  const { filter: f, clock, limit, after } = query;
  let q = whereGroupFilter(db.selectFrom('group_sessions').selectAll('group_sessions'), f, clock);
  if (after !== undefined) {
    q = q.where((eb) => eb.or([eb('started_at', '<', after.started_at), eb.and([eb('started_at', '=', after.started_at), eb('group_sessions.sid', '<', after.sid)])]));
  }
  // One row more than asked tells whether a next page exists without a second query.
  const rows = await q.orderBy('started_at', 'desc').orderBy('group_sessions.sid', 'desc').limit(limit + 1).execute();
  const sessions = rows.slice(0, limit).map((row) => groupSummaryOfRow(row, clock));
  const counts = await selectStayCounts(db, sessions.map((s) => s.sid));
  const calls = sessions.map((s) => ({ ...s, stay_counts: counts.get(s.sid) ?? noStays() }));
  const last = rows.length > limit ? calls.at(-1) : undefined;
  return { calls, next: last === undefined ? null : { started_at: last.started_at, sid: last.sid } };
}

/**
 * A query on group_sessions narrowed to a group call filter (the list's and the group
 * statistics'), the state read with the clock.
 */
export function whereGroupFilter<O>(
  query: SelectQueryBuilder<Database, 'group_sessions', O>,
  f: GroupCallFilter,
  clock: GroupStateClock,
): SelectQueryBuilder<Database, 'group_sessions', O> {
  let q = query;
  if (f.svc_id !== undefined) q = q.where('svc_id', '=', f.svc_id);
  if (f.id !== undefined) q = q.where('id', '=', f.id);
  if (f.host_svc_id !== undefined) q = q.where('host_svc_id', '=', f.host_svc_id);
  if (f.host_id !== undefined) q = q.where('host_id', '=', f.host_id);
  if (f.from !== undefined) q = q.where('started_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('started_at', '<', f.to);
  if (f.state === 'ended') q = q.where('ended_at', 'is not', null);
  // A session without sc=E is end_missing once its last event is older than the deadline.
  else if (f.state === 'end_missing') q = q.where('ended_at', 'is', null).where('last_event_at', '<', clock.now - clock.deadlineMs);
  else if (f.state === 'in_progress') q = q.where('ended_at', 'is', null).where('last_event_at', '>=', clock.now - clock.deadlineMs);
  const { user_id: userId, user_svc_id: userSvcId, stay_status: stayStatus } = f;
  if (userId !== undefined || userSvcId !== undefined || stayStatus !== undefined) {
    q = q.where(({ exists, selectFrom }) => {
      let stays = selectFrom('group_stays').select(sql.lit(1).as('one')).whereRef('group_stays.sid', '=', 'group_sessions.sid');
      if (userId !== undefined) stays = stays.where('group_stays.user_id', '=', userId);
      if (userSvcId !== undefined) stays = stays.where('group_stays.user_svc_id', '=', userSvcId);
      if (stayStatus !== undefined) stays = stays.where('group_stays.status', '=', stayStatus);
      return exists(stays);
    });
  }
  return q;
}

/** How many stays of each session have each status: one grouped query for the whole page. */
async function selectStayCounts(db: Kysely<Database>, sids: readonly string[]): Promise<Map<string, Record<StayStatus, number>>> {
  const bySid = new Map<string, Record<StayStatus, number>>();
  if (sids.length === 0) return bySid;
  const rows = await db.selectFrom('group_stays')
    .select((eb) => ['sid', 'status', eb.fn.countAll<number | string | bigint>().as('n')])
    .where('sid', 'in', sids)
    .groupBy(['sid', 'status'])
    .execute();
  for (const row of rows) {
    let counts = bySid.get(row.sid);
    if (counts === undefined) bySid.set(row.sid, (counts = noStays()));
    counts[row.status as StayStatus] = Number(row.n);
  }
  return bySid;
}

function noStays(): Record<StayStatus, number> {
  return Object.fromEntries(STAY_STATUSES.map((status) => [status, 0])) as Record<StayStatus, number>;
}

/**
 * The stays of the sessions started since `since`, by status: the sessions from the
 * started_at index, their stays by primary key, so the cost is that window's traffic.
 */
async function countRecentGroupStays(db: Kysely<Database>, since: number): Promise<Partial<Record<ParticipantStay['status'], number>>> {
  const rows = await db
    .selectFrom('group_sessions')
    .innerJoin('group_stays', 'group_stays.sid', 'group_sessions.sid')
    .where('group_sessions.started_at', '>=', since)
    .select((eb) => ['group_stays.status as status', eb.fn.countAll().as('n')])
    .groupBy('group_stays.status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}
