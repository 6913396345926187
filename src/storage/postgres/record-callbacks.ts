import pg from 'pg';
import { canonicalizeEvent } from '../../domain/canonical-event.js';
import { GROUP_EVENT_KEY_FIELDS } from '../../domain/canonical-group-call-event.js';
import { type CallbackRecord, type GroupCallEventRecord, type KeyedCallbackRecord, type RawRequest, type RecordOptions, type RecordResult, relayedOf, type StoredCallbackRecord, type StoredRecordResult, sidOfRecord } from '../port.js';
import { type CallColumn, CALL_INSERT_COLUMNS, newCallValues } from '../sql/call-columns.js';
import { keyedRowOf } from '../sql/keyed-callback-columns.js';
import type { ColumnType } from '../sql/sql-dialect.js';
import { enqueueRelayPostgres } from './relay-outbox.js';
import { addCallsToRollupsPostgres } from './rollups.js';
import { lifecycleAfter, lifecycleBefore, lifecycleSids } from '../sql/lifecycle-rollups.js';
import { runStepsOnClient } from './sql-step-runner.js';
import { applyGroupEvents } from '../sql/apply-group-events.js';
import { GROUP_CONFLICT_KIND, groupSidsOf, lockGroupSids } from '../sql/record-group-events.js';
import { GROUP_EVENT_INSERT_COLUMNS, GROUP_EVENT_INSERT_TYPED_COLUMNS, groupEventValues } from '../sql/group-call-rows.js';

/** Longest sid text kept with a malformed request, for searching the quarantine. */
const MAX_RAW_SID_CHARS = 64;
/** How many times a batch is retried after PostgreSQL aborted it for a deadlock or serialization failure. */
export const MAX_BATCH_ATTEMPTS = 3;
/** SQLSTATEs after which the whole transaction can simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

type Querier = Pick<pg.PoolClient, 'query'>;
type EventRecord = Extract<CallbackRecord, { kind: 'event' }>;

// Every statement takes whole columns as arrays, so a batch costs a handful of round
// trips whatever its size. Rows are inserted in sid order, so that concurrent batches
// lock keys in the same order.
// Ids are taken up front, in input order: raw requests and calls keep the order in
// which they arrived (call lists break setup_time ties by id) although rows go in by sid.
const ALLOCATE_IDS = `SELECT nextval(pg_get_serial_sequence('raw_requests', 'id')) AS raw,
    CASE WHEN g <= $2::int THEN nextval(pg_get_serial_sequence('calls', 'id')) END AS call
  FROM generate_series(1, $1::int) AS g ORDER BY g`;

/** The element type of an `unnest` parameter for a column type. */
const ARRAY_TYPES: Record<ColumnType, string> = { text: 'text', int32: 'int', int64: 'bigint' };
const CALL_COLUMNS = ['id', ...CALL_INSERT_COLUMNS.map((c) => c.name)].join(', ');
const CALL_ARRAYS = unnestParams([{ column: 'int64' }, ...CALL_INSERT_COLUMNS]);
// ON CONFLICT waits for a concurrent transaction inserting the same sid, then skips the row:
// exactly one receiver stores each sid.
const INSERT_CALLS = `INSERT INTO calls (${CALL_COLUMNS})
  SELECT * FROM unnest(${CALL_ARRAYS}) AS t(${CALL_COLUMNS})
  ORDER BY sid
  ON CONFLICT (sid) DO NOTHING
  RETURNING sid`;
const SELECT_CALL_HASHES = 'SELECT sid, content_hash FROM calls WHERE sid = ANY($1::text[])';
const INSERT_CONFLICTS = `INSERT INTO call_conflicts (sid, content_hash, event, received_at, raw_request_id)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
    AS t(sid, content_hash, event, received_at, raw_request_id)
  ORDER BY sid, content_hash
  ON CONFLICT (sid, content_hash) DO NOTHING
  RETURNING sid, content_hash`;
const COUNT_CONFLICTS = `UPDATE calls SET conflicts = calls.conflicts + c.n
  FROM (SELECT * FROM unnest($1::text[], $2::int[]) AS u(sid, n) ORDER BY sid) AS c
  WHERE calls.sid = c.sid`;
const INSERT_RAW = `INSERT INTO raw_requests (id, received_at, method, path, query, body, content_type, source_ip, result, sid, unread_reasons)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[])`;
// Replay and rebuild: ids come with the records; only calls need new ones.
const ALLOCATE_CALL_IDS = `SELECT nextval(pg_get_serial_sequence('calls', 'id')) AS call FROM generate_series(1, $1::int) AS g ORDER BY g`;
// Rebuild inserts raw requests with their ids: the sequence must not hand them out again.
const ADVANCE_RAW_SEQUENCE = `SELECT setval(pg_get_serial_sequence('raw_requests', 'id'), (SELECT max(id) FROM raw_requests))`;
const UPDATE_RAW = `UPDATE raw_requests SET result = u.result, sid = u.sid
  FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, result, sid) WHERE raw_requests.id = u.id`;
const UPDATE_QUARANTINE = `UPDATE quarantine SET reasons = u.reasons
  FROM unnest($1::bigint[], $2::text[]) AS u(raw_request_id, reasons) WHERE quarantine.raw_request_id = u.raw_request_id`;
const DELETE_QUARANTINE = 'DELETE FROM quarantine WHERE raw_request_id = ANY($1::bigint[])';
// A replay first locks the entries it replays: a second replay of the same entries waits, then finds them gone.
const CLAIM_QUARANTINED = `SELECT raw_request_id FROM quarantine WHERE raw_request_id = ANY($1::bigint[])
  ORDER BY raw_request_id FOR UPDATE`;

// Group Call Events: the same, by event key. The sids' advisory locks (lockGroupSids) keep
// other writers of these sids out, so ON CONFLICT only meets keys stored before the batch.
const GROUP_EVENT_COLUMNS = GROUP_EVENT_INSERT_COLUMNS.join(', ');
const GROUP_KEY = GROUP_EVENT_KEY_FIELDS.join(', ');
/** Where each key column is in GROUP_EVENT_INSERT_COLUMNS. */
const GROUP_KEY_AT = GROUP_EVENT_KEY_FIELDS.map((name) => GROUP_EVENT_INSERT_COLUMNS.indexOf(name));
const GROUP_KEY_ARRAYS = unnestParams(GROUP_KEY_AT.map((at) => GROUP_EVENT_INSERT_TYPED_COLUMNS[at] as CallColumn));
const INSERT_GROUP_EVENTS = `INSERT INTO group_call_events (${GROUP_EVENT_COLUMNS})
  SELECT * FROM unnest(${unnestParams(GROUP_EVENT_INSERT_TYPED_COLUMNS)}) AS t(${GROUP_EVENT_COLUMNS})
  ORDER BY ${GROUP_KEY}
  ON CONFLICT (${GROUP_KEY}) DO NOTHING
  RETURNING ${GROUP_KEY}`;
const SELECT_GROUP_HASHES = `SELECT ${GROUP_KEY}, content_hash FROM group_call_events
  WHERE (${GROUP_KEY}) IN (SELECT * FROM unnest(${GROUP_KEY_ARRAYS}))`;
const INSERT_GROUP_CONFLICTS = `INSERT INTO callback_conflicts (kind, sid, content_hash, content, received_at, raw_request_id)
  SELECT $1::text, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
    AS t(sid, content_hash, content, received_at, raw_request_id)
  ORDER BY sid, content_hash
  ON CONFLICT (kind, sid, content_hash) DO NOTHING
  RETURNING sid, content_hash`;
const COUNT_GROUP_CONFLICTS = `UPDATE group_call_events AS g SET conflicts = g.conflicts + c.n
  FROM unnest(${GROUP_KEY_ARRAYS}, $${GROUP_KEY_AT.length + 1}::int[]) AS c(${GROUP_KEY}, n)
  WHERE (${GROUP_EVENT_KEY_FIELDS.map((name) => `g.${name}`).join(', ')}) = (${GROUP_EVENT_KEY_FIELDS.map((name) => `c.${name}`).join(', ')})`;

/** How a batch's raw requests are written: new (live), updated in place (replay), or copied with their ids (rebuild). */
export type RecordMode = { mode: 'live' } | { mode: 'replay' | 'rebuild'; dryRun?: boolean };
const INSERT_QUARANTINE = `INSERT INTO quarantine (raw_request_id, received_at, reasons)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])`;

/**
 * Builds the group-commit writer on a pool: one transaction per batch (see recordCallbacksPostgres).
 */
export function createPostgresCallbackRecorder(
  pool: pg.Pool,
  options: RecordOptions = {},
): (records: readonly CallbackRecord[]) => Promise<RecordResult[]> {
  // Live records are never `already_replayed`.
  return (records) => recordCallbacksPostgres(pool, records, { mode: 'live' }, options) as Promise<RecordResult[]>;
}

/**
 * Records a batch in one transaction. Safe when several receivers get the same sid at
 * the same instant: the unique sid decides which version is the call, and the unique
 * (sid, content_hash) keeps each conflicting version once. Results are the same as
 * recording the deliveries one by one in input order; should PostgreSQL abort the
 * transaction for a deadlock or serialization failure, it is run again.
 */
export async function recordCallbacksPostgres(
  pool: pg.Pool,
  records: readonly CallbackRecord[],
  mode: RecordMode = { mode: 'live' },
  options: RecordOptions = {},
): Promise<StoredRecordResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await recordBatchOnce(pool, records, mode, options);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= MAX_BATCH_ATTEMPTS || typeof code !== 'string' || !RETRYABLE_SQLSTATES.has(code)) throw error;
    }
  }
}

/** A replay's records whose quarantine entries are still there, locked until the commit; null when not replaying. */
async function claimReplayed(db: Querier, records: readonly CallbackRecord[], mode: RecordMode): Promise<Set<number> | null> {
  if (mode.mode !== 'replay') return null;
  const ids = records.map((r) => (r as StoredCallbackRecord).rawRequestId);
  const rows = (await db.query<{ raw_request_id: string | number }>(CLAIM_QUARANTINED, [ids])).rows;
  return new Set(rows.map((r) => Number(r.raw_request_id)));
}

async function recordBatchOnce(pool: pg.Pool, records: readonly CallbackRecord[], mode: RecordMode, options: RecordOptions): Promise<StoredRecordResult[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const claimed = await claimReplayed(client, records, mode);
    const taken = claimed === null ? records : records.filter((r) => claimed.has((r as StoredCallbackRecord).rawRequestId));
    // The lifecycle rollups follow every sid this batch may change, in this same transaction.
    const lifecycle = await runStepsOnClient(client, lifecycleBefore('postgres', lifecycleSids(taken)));
    const results = await recordBatch(client, taken, mode);
    await runStepsOnClient(client, lifecycleAfter(lifecycle));
    // Statistics rollups of the hours that gained a call, in this same transaction; a rebuild
    // builds them once at the end from all its calls (rebuild-from-raw.ts), far faster.
    if (mode.mode !== 'rebuild') {
      await addCallsToRollupsPostgres(client, taken.flatMap((r, i) => (r.kind === 'event' && results[i] === 'accepted' ? [{ ...r.event, ...r.classification }] : [])));
    }
    // The relay outbox rows, in this same transaction: a committed delivery is never lost to
    // the relay. A replayed delivery is relayed as if it had arrived on time; a rebuild relays nothing.
    if ((options.relayCallEvents === true || options.relayAgentCallStatuses === true) && mode.mode !== 'rebuild') {
      await enqueueRelayPostgres(client, taken.flatMap((r, i) => relayedOf(r, results[i] as RecordResult, options)));
    }
    await client.query(mode.mode !== 'live' && mode.dryRun === true ? 'ROLLBACK' : 'COMMIT');
    if (claimed === null) return results;
    let next = 0;
    return records.map((r) => (claimed.has((r as StoredCallbackRecord).rawRequestId) ? (results[next++] as RecordResult) : 'already_replayed'));
  } catch (error) {
    broken = error as Error;
    // Only a server that answered with an error is worth a ROLLBACK. After a timeout or a
    // network error the ROLLBACK would queue behind the unanswered statement and wait out
    // its own timeout (35 s more on a silently dead network); releasing the client with
    // the error destroys its socket instead, and the server ends the transaction.
    if (error instanceof pg.DatabaseError) {
      await client.query('ROLLBACK').then(
        () => (broken = undefined), // the connection is fine; only the transaction failed
        () => undefined,
      );
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

async function recordBatch(db: Querier, records: readonly CallbackRecord[], mode: RecordMode): Promise<RecordResult[]> {
  if (records.length === 0) return [];
  const eventCount = records.filter((r) => r.kind === 'event').length;
  const { rawIds, callIds } = await allocateIds(db, records, eventCount, mode);
  const results = new Array<RecordResult>(records.length);
  const events: Array<{ index: number; record: EventRecord }> = [];
  const keyed: Array<{ index: number; record: KeyedCallbackRecord }> = [];
  const group: Array<{ index: number; record: GroupCallEventRecord }> = [];
  records.forEach((record, index) => {
    if (record.kind === 'malformed') results[index] = 'quarantined';
    else if (record.kind === 'event') events.push({ index, record });
    else if (record.kind === 'group-call-event') group.push({ index, record });
    else keyed.push({ index, record });
  });

  // The first delivery of each sid in the batch may become the call.
  const firstOfSid = new Map<string, { index: number; record: EventRecord }>();
  for (const e of events) if (!firstOfSid.has(e.record.event.sid)) firstOfSid.set(e.record.event.sid, e);
  const accepted = await insertCalls(db, [...firstOfSid.values()], rawIds, callIds);
  const repeats = events.filter((e) => !(accepted.has(e.record.event.sid) && firstOfSid.get(e.record.event.sid) === e));
  for (const e of events) if (!repeats.includes(e)) results[e.index] = 'accepted';
  await recordRepeats(db, repeats, rawIds, results);
  // Notify and Agent Call Status are few (one per call at most): a statement or two each.
  for (const { index, record } of keyed) results[index] = await recordKeyed(db, record, rawIds[index] as number);
  await recordGroupEvents(db, group, rawIds, results);

  const quarantined = records.flatMap((r, i) =>
    r.kind === 'malformed' ? [[rawIds[i], r.raw.receivedAt, pgText(JSON.stringify(r.problems))]] : []);
  if (mode.mode === 'replay') {
    const rows = records.map((record, i) => rawRow(record, rawIds[i] as number, results[i] as RecordResult));
    await db.query(UPDATE_RAW, [rows.map((r) => r[0]), rows.map((r) => r[8]), rows.map((r) => r[9])]);
    if (quarantined.length > 0) await db.query(UPDATE_QUARANTINE, [quarantined.map((q) => q[0]), quarantined.map((q) => q[2])]);
    const parsed = rawIds.filter((_, i) => results[i] !== 'quarantined');
    if (parsed.length > 0) await db.query(DELETE_QUARANTINE, [parsed]);
    return results;
  }
  await db.query(INSERT_RAW, columns(records.map((record, i) => rawRow(record, rawIds[i] as number, results[i] as RecordResult))));
  if (mode.mode === 'rebuild') await db.query(ADVANCE_RAW_SEQUENCE);
  if (quarantined.length > 0) await db.query(INSERT_QUARANTINE, columns(quarantined));
  return results;
}

/** Raw request ids (new, or the records' own) and new call ids, each ascending in input order. */
async function allocateIds(db: Querier, records: readonly CallbackRecord[], eventCount: number, mode: RecordMode) {
  if (mode.mode === 'live') {
    const ids = (await db.query<{ raw: number; call: number | null }>(ALLOCATE_IDS, [records.length, eventCount])).rows;
    return {
      rawIds: ids.map((r) => Number(r.raw)).sort((a, b) => a - b),
      callIds: ids.flatMap((r) => (r.call === null ? [] : [Number(r.call)])).sort((a, b) => a - b),
    };
  }
  const ids = (await db.query<{ call: number }>(ALLOCATE_CALL_IDS, [eventCount])).rows;
  return {
    rawIds: records.map((r) => (r as StoredCallbackRecord).rawRequestId),
    callIds: ids.map((r) => Number(r.call)).sort((a, b) => a - b),
  };
}

/** Inserts the candidate calls; returns the sids this transaction stored. */
async function insertCalls(
  db: Querier,
  candidates: Array<{ index: number; record: EventRecord }>,
  rawIds: number[],
  callIds: number[],
): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const rows = candidates.map(({ index, record }, n) => {
    const facts = { contentHash: record.contentHash, receivedAt: record.raw.receivedAt, rawRequestId: rawIds[index] as number, classification: record.classification };
    return [callIds[n], ...newCallValues(record.event, facts, pgText)];
  });
  const inserted = await db.query<{ sid: string }>(INSERT_CALLS, columns(rows));
  return new Set(inserted.rows.map((r) => r.sid));
}

/**
 * Deliveries of sids already stored, in input order: the stored content is a duplicate;
 * new content is a conflicting version, kept once per (sid, content_hash).
 */
async function recordRepeats(db: Querier, repeats: Array<{ index: number; record: EventRecord }>, rawIds: number[], results: RecordResult[]) {
  if (repeats.length === 0) return;
  const sids = [...new Set(repeats.map((e) => e.record.event.sid))];
  const stored = new Map((await db.query<{ sid: string; content_hash: string }>(SELECT_CALL_HASHES, [sids])).rows
    .map((r) => [r.sid, r.content_hash]));
  const candidates = newVersionsOf(repeats, (e) => stored.get(e.record.event.sid), (e) => e.record.event.sid, results);
  if (candidates.size === 0) return;
  const rows = [...candidates.values()].map(({ index, record }) =>
    [record.event.sid, record.contentHash, pgText(canonicalizeEvent(record.event)), record.raw.receivedAt, rawIds[index]]);
  const inserted = await db.query<{ sid: string; content_hash: string }>(INSERT_CONFLICTS, columns(rows));
  const perSid = new Map<string, number>();
  for (const e of settleVersions(candidates, inserted.rows, results)) perSid.set(e.record.event.sid, (perSid.get(e.record.event.sid) ?? 0) + 1);
  if (perSid.size > 0) await db.query(COUNT_CONFLICTS, [[...perSid.keys()], [...perSid.values()]]);
}

/** A repeat of a stored delivery: its place in the batch and its content's hash. */
interface Repeat {
  index: number;
  record: { contentHash: string };
}

/**
 * The first step with repeats of stored deliveries, in input order: one whose content is the
 * stored one (`storedHash`), or a version already met in the batch, is a duplicate (its result
 * set here); the others are candidate conflicting versions, one per (sid, content_hash).
 */
function newVersionsOf<R extends Repeat>(repeats: readonly R[], storedHash: (repeat: R) => unknown, sidOf: (repeat: R) => string, results: RecordResult[]): Map<string, R> {
  const candidates = new Map<string, R>();
  for (const r of repeats) {
    const version = `${sidOf(r)} ${r.record.contentHash}`;
    if (storedHash(r) === r.record.contentHash || candidates.has(version)) results[r.index] = 'duplicate';
    else candidates.set(version, r);
  }
  return candidates;
}

/**
 * The last step: each candidate whose (sid, content_hash) row this transaction inserted is a
 * conflict, the others (kept by another receiver meanwhile) duplicates. Returns the conflicts.
 */
function settleVersions<R extends Repeat>(candidates: Map<string, R>, inserted: ReadonlyArray<{ sid: string; content_hash: string }>, results: RecordResult[]): R[] {
  const fresh = new Set(inserted.map((r) => `${r.sid} ${r.content_hash}`));
  const conflicts: R[] = [];
  for (const [version, r] of candidates) {
    results[r.index] = fresh.has(version) ? 'conflict' : 'duplicate';
    if (fresh.has(version)) conflicts.push(r);
  }
  return conflicts;
}

/** A Group Call Event of the batch, with its row's values as stored and its key as text. */
interface GroupDelivery {
  index: number;
  record: GroupCallEventRecord;
  /** The values of GROUP_EVENT_INSERT_COLUMNS, text through pgText. */
  values: unknown[];
  /** The values of its key columns (GROUP_EVENT_KEY_FIELDS), and the same as one text (groupKeyText). */
  keyValues: unknown[];
  key: string;
}

function groupDeliveryOf(index: number, record: GroupCallEventRecord, rawId: number): GroupDelivery {
  const values = groupEventValues(record, rawId, pgText);
  const keyValues = GROUP_KEY_AT.map((at) => values[at]);
  return { index, record, values, keyValues, key: groupKeyText(keyValues) };
}

/**
 * Group Call Events, in a few statements whatever the batch's size, under their sids'
 * locks (a room's events come a few at a time), then each changed room session brought
 * up to date (apply-group-events.ts). Results are those of recording them one by one in input
 * order (recordGroupEvent, which SQLite runs): the first delivery of a new key is the
 * event, an identical repeat a duplicate, a differing one a conflicting version kept once.
 */
async function recordGroupEvents(db: Querier, group: Array<{ index: number; record: GroupCallEventRecord }>, rawIds: number[], results: RecordResult[]) {
  if (group.length === 0) return;
  await runStepsOnClient(db, lockGroupSids('postgres', groupSidsOf(group.map((g) => g.record))));
  const deliveries = group.map(({ index, record }) => groupDeliveryOf(index, record, rawIds[index] as number));
  // The first delivery of each key in the batch may become the event.
  const firstOfKey = new Map<string, GroupDelivery>();
  for (const d of deliveries) if (!firstOfKey.has(d.key)) firstOfKey.set(d.key, d);
  const inserted = await insertGroupEvents(db, [...firstOfKey.values()]);
  const repeats: GroupDelivery[] = [];
  for (const d of deliveries) {
    if (inserted.has(d.key) && firstOfKey.get(d.key) === d) results[d.index] = 'accepted';
    else repeats.push(d);
  }
  await recordGroupRepeats(db, repeats, rawIds, results);
  await runStepsOnClient(db, applyGroupEvents('postgres', group.map(({ index, record }) => ({ record, result: results[index] as RecordResult }))));
}

/** Inserts the candidate events; returns the keys (groupKeyText) this transaction stored. */
async function insertGroupEvents(db: Querier, candidates: GroupDelivery[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const inserted = await db.query<Record<string, unknown>>(INSERT_GROUP_EVENTS, columns(candidates.map((d) => d.values)));
  return new Set(inserted.rows.map(groupKeyOfRow));
}

/**
 * Deliveries of keys already stored (before the batch or by an earlier delivery of it), in
 * input order: the stored content is a duplicate; new content is a conflicting version,
 * kept once per (sid, content_hash) as recordGroupEvent keeps it, and counted on the event.
 */
async function recordGroupRepeats(db: Querier, repeats: GroupDelivery[], rawIds: number[], results: RecordResult[]) {
  if (repeats.length === 0) return;
  const keys = [...new Map(repeats.map((d) => [d.key, d.keyValues])).values()];
  const stored = new Map((await db.query<Record<string, unknown>>(SELECT_GROUP_HASHES, columns(keys))).rows
    .map((r) => [groupKeyOfRow(r), r.content_hash]));
  const candidates = newVersionsOf(repeats, (d) => stored.get(d.key), (d) => d.record.groupEvent.sid, results);
  if (candidates.size === 0) return;
  const rows = [...candidates.values()].map(({ index, record }) =>
    [record.groupEvent.sid, record.contentHash, pgText(record.content), record.raw.receivedAt, rawIds[index]]);
  const inserted = await db.query<{ sid: string; content_hash: string }>(INSERT_GROUP_CONFLICTS, [GROUP_CONFLICT_KIND, ...columns(rows)]);
  await countGroupConflicts(db, settleVersions(candidates, inserted.rows, results));
}

/** Adds each new conflicting version to its event's conflict count (several versions of one key: one row, +n). */
async function countGroupConflicts(db: Querier, conflicts: GroupDelivery[]) {
  if (conflicts.length === 0) return;
  const perKey = new Map<string, { keyValues: unknown[]; n: number }>();
  for (const d of conflicts) perKey.set(d.key, { keyValues: d.keyValues, n: (perKey.get(d.key)?.n ?? 0) + 1 });
  const counted = [...perKey.values()];
  await db.query(COUNT_GROUP_CONFLICTS, [...columns(counted.map((c) => c.keyValues)), counted.map((c) => c.n)]);
}

/** A group event's key as text, from its key columns' values as stored (PostgreSQL's int8 may come back as text). */
function groupKeyText(keyValues: readonly unknown[]): string {
  return JSON.stringify(keyValues.map(String));
}

function groupKeyOfRow(row: Record<string, unknown>): string {
  return groupKeyText(GROUP_EVENT_KEY_FIELDS.map((name) => row[name]));
}

/**
 * One Notify or Agent Call Status: the first version of a sid is kept (ON CONFLICT: one
 * receiver wins), an identical repeat is a duplicate, a differing one a conflicting version.
 */
async function recordKeyed(db: Querier, record: KeyedCallbackRecord, rawId: number): Promise<RecordResult> {
  const row = keyedRowOf(record, rawId, pgText);
  const params = row.columns.map((_, i) => `$${i + 1}`).join(', ');
  const inserted = await db.query(`INSERT INTO ${row.table} (${row.columns.join(', ')}) VALUES (${params})
    ON CONFLICT (sid) DO NOTHING RETURNING sid`, row.values);
  if (inserted.rowCount === 1) return 'accepted';
  const stored = await db.query<{ content_hash: string }>(`SELECT content_hash FROM ${row.table} WHERE sid = $1`, [row.sid]);
  if (stored.rows[0]?.content_hash === record.contentHash) return 'duplicate';
  const conflict = await db.query(`INSERT INTO callback_conflicts (kind, sid, content_hash, content, received_at, raw_request_id)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, sid, content_hash) DO NOTHING RETURNING id`,
  [record.kind, row.sid, record.contentHash, pgText(record.content), record.raw.receivedAt, rawId]);
  if (conflict.rowCount !== 1) return 'duplicate';
  await db.query(`UPDATE ${row.table} SET conflicts = conflicts + 1 WHERE sid = $1`, [row.sid]);
  return 'conflict';
}

function rawRow(record: CallbackRecord, id: number, result: RecordResult): unknown[] {
  const r: RawRequest = record.raw;
  const named = sidOfRecord(record);
  const sid = record.kind !== 'malformed' || named === null ? named : named.slice(0, MAX_RAW_SID_CHARS);
  return [id, r.receivedAt, r.method, pgText(r.path), pgText(r.query), nullableText(r.body),
    nullableText(r.contentType), r.sourceIp, result, nullableText(sid),
    r.unreadReasons == null ? null : pgText(JSON.stringify(r.unreadReasons))];
}

/** `$1::type[], $2::type[], …`: an `unnest` parameter per column, typed as the column. */
function unnestParams(columns: ReadonlyArray<{ column: ColumnType }>): string {
  return columns.map((c, i) => `$${i + 1}::${ARRAY_TYPES[c.column]}[]`).join(', ');
}

/** Rows to columns: the parameters of an `unnest($1::type[], …)` insert. */
function columns(rows: unknown[][]): unknown[][] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, c) => rows.map((row) => row[c] ?? null));
}

/**
 * PostgreSQL text cannot hold U+0000, which a raw POST body may carry; it is kept as
 * U+FFFD so that one odd request cannot make a whole batch fail.
 */
export function pgText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

function nullableText(text: string | null): string | null {
  return text === null ? null : pgText(text);
}
