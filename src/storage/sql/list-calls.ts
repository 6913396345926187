import { type Kysely, type SqlBool, sql } from 'kysely';
import type { CallFilter } from '../../domain/call-filter.js';
import type { CallListQuery, CallPage, CallPosition, StoredCall } from '../port.js';
import { applyCallFilter } from './call-filter-sql.js';
import { callRowToCall } from './call-row.js';
import type { Database } from './schema-types.js';

/** Calls read per query while streaming an export: small enough to never hold many in memory. */
export const EXPORT_CHUNK_CALLS = 1_000;

/**
 * One page of calls, newest first by the filter's time field, ties broken by id.
 * Keyset pagination: the page after `query.after` starts strictly below that position,
 * so calls stored meanwhile never shift, repeat or hide the calls of later pages.
 */
export async function selectCallPage(db: Kysely<Database>, query: CallListQuery): Promise<CallPage> {
  const { filter, limit } = query;
  const time = filter.time_field;
  // One row more than asked tells whether a next page exists without a second query.
  const rows = filter.user === undefined ? await pageOf(db, query, limit + 1).execute() : await userPageOf(db, query, filter.user, limit + 1);
  const calls = rows.slice(0, limit).map(callRowToCall);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { calls, next: last === undefined ? null : { time: Number(last[time]), id: Number(last.id) } };
}

function pageOf(db: Kysely<Database>, query: CallListQuery, rows: number) {
  const time = query.filter.time_field;
  let q = applyCallFilter(db.selectFrom('calls').selectAll(), query.filter);
  if (query.after !== undefined) q = q.where(keysetBelow(time, query.after));
  return q.orderBy(time, 'desc').orderBy('id', 'desc').limit(rows);
}

/**
 * `user` means either party. `from_user_id = u OR to_user_id = u` makes the database
 * collect and sort every call of the user, which is slow for a busy one; instead each
 * party column walks its own (user, time) index for just one page, and the two short
 * lists are merged. The callee side skips calls the user made to themself.
 */
async function userPageOf(db: Kysely<Database>, query: CallListQuery, user: string, rows: number) {
  const { user: _either, ...rest } = query.filter;
  const time = query.filter.time_field;
  const asCaller =
    rest.from_user_id === undefined || rest.from_user_id === user
      ? pageOf(db, { ...query, filter: { ...rest, from_user_id: user } }, rows)
      : null;
  const asCallee =
    rest.to_user_id === undefined || rest.to_user_id === user
      ? pageOf(db, { ...query, filter: { ...rest, to_user_id: user } }, rows).where('calls.from_user_id', '<>', user)
      : null;
  if (asCaller === null || asCallee === null) return (await (asCaller ?? asCallee)?.execute()) ?? [];
  return db
    .selectFrom(db.selectFrom(asCaller.as('caller_side')).selectAll().unionAll(db.selectFrom(asCallee.as('callee_side')).selectAll()).as('calls'))
    .selectAll()
    .orderBy(time, 'desc')
    .orderBy('id', 'desc')
    .limit(rows)
    .execute();
}

/**
 * Every call a filter matches, newest first, read in keyset chunks of
 * {@link EXPORT_CHUNK_CALLS}: memory stays flat, and no read stays open between
 * chunks (SQLite's single connection keeps serving ingest in between).
 */
export async function* streamCallsInChunks(
  db: Kysely<Database>,
  filter: CallFilter,
  chunk: number = EXPORT_CHUNK_CALLS,
): AsyncGenerator<StoredCall> {
  let after: CallPosition | undefined;
  for (;;) {
    const page = await selectCallPage(db, after === undefined ? { filter, limit: chunk } : { filter, limit: chunk, after });
    yield* page.calls;
    if (page.next === null) return;
    after = page.next;
  }
}

/** `(time, id) < (t, i)`, written out so that both SQLite and PostgreSQL use the (time, id) index. */
function keysetBelow(time: CallFilter['time_field'], after: CallPosition) {
  const t = sql.ref(`calls.${time}`);
  const id = sql.ref('calls.id');
  return sql<SqlBool>`(${t} < ${after.time} or (${t} = ${after.time} and ${id} < ${after.id}))`;
}
