import type pg from 'pg';
import type { CallEvent } from '../../domain/call-event.js';
import { canonicalizeEvent } from '../../domain/canonical-event.js';
import type { CallbackRecord, RawRequest, RecordResult } from '../port.js';
import { refreshRollupSlotsPg } from '../sql/rollup-refresh-pg.js';

/** Longest sid text kept with a malformed request, for searching the quarantine. */
const MAX_RAW_SID_CHARS = 64;
/** How many times a batch is retried after PostgreSQL aborted it for a deadlock or serialization failure. */
export const MAX_BATCH_ATTEMPTS = 3;
/** SQLSTATEs after which the whole transaction can simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

type Querier = Pick<pg.PoolClient, 'query'>;

const INSERT_RAW = `INSERT INTO raw_requests
  (received_at, method, path, query, body, content_type, source_ip, result, sid)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`;

const INSERT_QUARANTINED = `WITH raw AS (${INSERT_RAW})
  INSERT INTO quarantine (raw_request_id, received_at, reasons)
  VALUES ((SELECT id FROM raw), $1, $10)`;

// The raw request and the call in one round trip. ON CONFLICT waits for a concurrent
// transaction holding the same sid, so that exactly one receiver stores it.
const INSERT_CALL = `WITH raw AS (${INSERT_RAW}),
  call AS (
    INSERT INTO calls (
      sid, from_service_id, from_user_id, to_service_id, to_user_id, type, stid, app_svr_data,
      setup_time, start_time, end_time, duration, billing_sec, srcip, dstip, terminate,
      disconnect_reason, releaser_type, call_end_reason, releaser, rel_code, rel_code_str,
      user_rel_code, extra, content_hash, received_at, raw_request_id, conflicts,
      outcome, ended_by, reason, reason_source, classifier_version)
    VALUES ($10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25,
      $26, $27, $28, $29, $30, $31, $32, $33, $34, $1, (SELECT id FROM raw), 0, $35, $36, $37, $38, $39)
    ON CONFLICT (sid) DO NOTHING
    RETURNING id)
  SELECT raw.id AS raw_id, (SELECT count(*) FROM call) AS inserted FROM raw`;

const SELECT_CALL_HASH = 'SELECT content_hash FROM calls WHERE sid = $1';
const INSERT_CONFLICT = `INSERT INTO call_conflicts (sid, content_hash, event, received_at, raw_request_id)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sid, content_hash) DO NOTHING RETURNING id`;
const COUNT_CONFLICT = 'UPDATE calls SET conflicts = conflicts + 1 WHERE sid = $1';
const SET_RAW_RESULT = 'UPDATE raw_requests SET result = $2 WHERE id = $1';

/**
 * Records a batch in one transaction. Safe when several receivers get the same sid at
 * the same instant: the unique sid decides which version is the call, and the unique
 * (sid, content_hash) keeps each conflicting version once. Records are written in sid
 * order (input order kept per sid), so that concurrent batches take row locks in the same
 * order and do not deadlock; should PostgreSQL still abort one, it is retried.
 */
export async function recordCallbacksPostgres(pool: pg.Pool, records: readonly CallbackRecord[]): Promise<RecordResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await recordBatchOnce(pool, records);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (attempt >= MAX_BATCH_ATTEMPTS || typeof code !== 'string' || !RETRYABLE_SQLSTATES.has(code)) throw error;
    }
  }
}

async function recordBatchOnce(pool: pg.Pool, records: readonly CallbackRecord[]): Promise<RecordResult[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const results = new Array<RecordResult>(records.length);
    for (const index of lockOrder(records)) results[index] = await recordOne(client, records[index] as CallbackRecord);
    // Statistics rollups of the hours that gained a call, in this same transaction.
    await refreshRollupSlotsPg(client, records.flatMap((r, i) => (r.kind === 'event' && results[i] === 'accepted' ? [r.event.setup_time] : [])));
    await client.query('COMMIT');
    return results;
  } catch (error) {
    broken = error as Error;
    await client.query('ROLLBACK').then(
      () => (broken = undefined), // the connection is fine; only the transaction failed
      () => undefined,
    );
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Input positions sorted by sid (stable, so the order of one sid's deliveries is kept). */
function lockOrder(records: readonly CallbackRecord[]): number[] {
  const keyOf = (r: CallbackRecord) => (r.kind === 'event' ? r.event.sid : '');
  return records
    .map((_, i) => i)
    .sort((a, b) => {
      const ka = keyOf(records[a] as CallbackRecord);
      const kb = keyOf(records[b] as CallbackRecord);
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
}

async function recordOne(db: Querier, record: CallbackRecord): Promise<RecordResult> {
  if (record.kind === 'malformed') {
    const sid = record.sid === null ? null : record.sid.slice(0, MAX_RAW_SID_CHARS);
    await db.query(INSERT_QUARANTINED, [...rawValues(record.raw, 'quarantined', sid), JSON.stringify(record.problems)]);
    return 'quarantined';
  }
  const { event, contentHash, classification: c } = record;
  const inserted = await db.query<{ raw_id: number; inserted: number }>(INSERT_CALL, [
    ...rawValues(record.raw, 'accepted', event.sid),
    ...callValues(event),
    contentHash,
    c.outcome,
    c.ended_by,
    c.reason,
    c.reason_source,
    c.classifier_version,
  ]);
  const row = inserted.rows[0];
  if (row === undefined) throw new Error('raw request insert returned no row');
  if (row.inserted === 1) return 'accepted';
  const result = await recordRepeat(db, event, contentHash, record.raw.receivedAt, row.raw_id);
  await db.query(SET_RAW_RESULT, [row.raw_id, result]);
  return result;
}

/** A sid already stored: the same content is a duplicate; new content is a conflict, kept once. */
async function recordRepeat(db: Querier, event: CallEvent, contentHash: string, receivedAt: number, rawId: number) {
  const stored = await db.query<{ content_hash: string }>(SELECT_CALL_HASH, [event.sid]);
  if (stored.rows[0]?.content_hash === contentHash) return 'duplicate';
  const conflict = await db.query(INSERT_CONFLICT, [event.sid, contentHash, pgText(canonicalizeEvent(event)), receivedAt, rawId]);
  if (conflict.rowCount === 0) return 'duplicate';
  await db.query(COUNT_CONFLICT, [event.sid]);
  return 'conflict';
}

function rawValues(r: RawRequest, result: RecordResult, sid: string | null): unknown[] {
  return [r.receivedAt, r.method, pgText(r.path), pgText(r.query), nullableText(r.body),
    nullableText(r.contentType), r.sourceIp, result, nullableText(sid)];
}

function callValues(e: CallEvent): unknown[] {
  return [
    e.sid, e.from_service_id, e.from_user_id, e.to_service_id, e.to_user_id, e.type, e.stid, e.app_svr_data,
    e.setup_time, e.start_time, e.end_time, e.duration, e.billing_sec, e.srcip, e.dstip, e.terminate,
    e.disconnect_reason, e.releaser_type, e.call_end_reason, e.releaser, e.rel_code, e.rel_code_str,
    e.user_rel_code, pgText(JSON.stringify(e.extra)),
  ];
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
