import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { CallStore, GroupCallFilter, GroupCallListQuery, GroupCallPage, GroupStateClock, StoredGroupCall } from '../port.js';
import { groupCallOfRows, groupSummaryOfRow } from './group-call-rows.js';
import type { Database } from './schema-types.js';

/** The group call reads of the port, the same Kysely queries on either database. */
export function createGroupCallQueries(db: Kysely<Database>): Pick<CallStore, 'getGroupCall' | 'listGroupCalls'> {
  return {
    getGroupCall: (sid, clock) => selectGroupCall(db, sid, clock),
    listGroupCalls: (query) => selectGroupCallPage(db, query),
  };
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
  const calls = rows.slice(0, limit).map((row) => groupSummaryOfRow(row, clock));
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
