/**
 * The relay outbox's SQL, written once for both databases (table: migration 13 in
 * migrations.ts). Parameters are `?`; PostgreSQL numbers them with numberParams().
 * Where a statement differs (PostgreSQL's row locks, batched arrays) the adapter says so.
 */
import { randomUUID } from 'node:crypto';
import type { DeadLetter, RawRequest, RelayItem, RelayKind, RelaySettlement } from '../port.js';

const ITEM_COLUMNS = 'id, delivery_id, kind, sid, received_at, method, query, body, content_type, source_ip, attempts, last_error';

/**
 * Leases the due items: pending, due, unleased (or the lease expired) and first among the
 * pending items of their sid, earliest due first (the relay_outbox_due index: rows still
 * backing off, and the later rows of their sids, are never read). `lock` is PostgreSQL's `FOR UPDATE SKIP LOCKED`: a second
 * receiver running the same statement skips the rows the first is leasing instead of waiting.
 * Parameters: owner, lease until, now, now, limit.
 */
export function leaseSql(lock: string): string {
  return `UPDATE relay_outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1
  WHERE id IN (
    SELECT o.id FROM relay_outbox o
    WHERE o.state = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
      AND NOT EXISTS (SELECT 1 FROM relay_outbox e WHERE e.state = 'pending' AND e.sid = o.sid AND e.id < o.id)
    ORDER BY o.next_attempt_at, o.id LIMIT ?${lock})
  RETURNING ${ITEM_COLUMNS}`;
}

/**
 * One settlement: parameters state, next attempt (or null to keep), last error, settled at,
 * id, owner. Only the lease holder settles: after its lease expired and another worker took
 * the row, the row is that worker's.
 */
export const SETTLE_SQL = `UPDATE relay_outbox SET state = ?, next_attempt_at = coalesce(?, next_attempt_at), last_error = ?,
  settled_at = ?, lease_owner = NULL, lease_until = NULL
  WHERE id = ? AND lease_owner = ? AND state = 'pending'`;

/**
 * After a failed attempt, the later pending rows of the sid wait at least as long as the
 * failed one (they could not go before it anyway): the lease then never reads them while
 * it backs off. Parameters: next attempt, failed id, failed id, next attempt.
 */
export const HOLD_BACK_LATER_SQL = `UPDATE relay_outbox SET next_attempt_at = ?
  WHERE state = 'pending' AND sid = (SELECT f.sid FROM relay_outbox f WHERE f.id = ?) AND id > ? AND next_attempt_at < ?`;

/** Parameters: now. */
export const PENDING_COUNTS_SQL = `SELECT count(*) AS pending, coalesce(sum(CASE WHEN lease_until > ? THEN 1 ELSE 0 END), 0) AS in_flight,
  min(received_at) AS oldest FROM relay_outbox WHERE state = 'pending'`;
export const DEAD_COUNT_SQL = "SELECT count(*) AS n FROM relay_outbox WHERE state = 'dead'";
export const DELIVERED_COUNT_SQL = "SELECT count(*) AS n FROM relay_outbox WHERE state = 'delivered'";

/** Parameters: before id, limit. */
export const DEAD_LETTERS_SQL = `SELECT id, delivery_id, kind, sid, method, received_at, attempts, last_error, settled_at
  FROM relay_outbox WHERE state = 'dead' AND id < ? ORDER BY id DESC LIMIT ?`;

/** Puts dead letters back in line; the adapter appends its id condition. Parameters: now. */
export const RETRY_DEAD_SQL = `UPDATE relay_outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, settled_at = NULL,
  lease_owner = NULL, lease_until = NULL WHERE state = 'dead'`;

/** The columns an enqueued row gets, in order (state is 'pending', attempts 0). */
export const ENQUEUE_COLUMNS = 'delivery_id, kind, sid, received_at, method, query, body, content_type, source_ip, state, next_attempt_at';

/** The values of one enqueued row, in ENQUEUE_COLUMNS order: due at once, with a fresh delivery id. */
export function enqueueValues(kind: RelayKind, sid: string, raw: RawRequest): unknown[] {
  return [randomUUID(), kind, sid, raw.receivedAt, raw.method, raw.query, raw.body, raw.contentType, raw.sourceIp, 'pending', raw.receivedAt];
}

/** The parameters of SETTLE_SQL for one settlement. */
export function settleValues(s: RelaySettlement, owner: string, now: number): unknown[] {
  if (s.outcome === 'delivered') return ['delivered', null, null, now, s.id, owner];
  if (s.outcome === 'retry') return ['pending', s.nextAttemptAt, s.error, null, s.id, owner];
  return ['dead', null, s.error, now, s.id, owner];
}

/** A row as the drivers return it (PostgreSQL's bigint arrives as text). */
export interface RelayItemRow {
  id: number | string;
  delivery_id: string;
  kind: string;
  sid: string;
  received_at: number | string;
  method: string;
  query: string;
  body: string | null;
  content_type: string | null;
  source_ip: string;
  attempts: number | string;
  last_error: string | null;
}

export function relayItemOf(row: RelayItemRow): RelayItem {
  return {
    id: Number(row.id), deliveryId: row.delivery_id, kind: row.kind as RelayKind, sid: row.sid, receivedAt: Number(row.received_at),
    method: row.method, query: row.query, body: row.body, contentType: row.content_type, sourceIp: row.source_ip,
    attempts: Number(row.attempts), lastError: row.last_error,
  };
}

export interface DeadLetterRow {
  id: number | string;
  delivery_id: string;
  kind: string;
  sid: string;
  method: string;
  received_at: number | string;
  attempts: number | string;
  last_error: string | null;
  settled_at: number | string | null;
}

export function deadLetterOf(row: DeadLetterRow): DeadLetter {
  return {
    id: Number(row.id), delivery_id: row.delivery_id, kind: row.kind as RelayKind, sid: row.sid, method: row.method,
    received_at: Number(row.received_at), attempts: Number(row.attempts), last_error: row.last_error, dead_at: Number(row.settled_at ?? 0),
  };
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (the statements here hold no `?` in text). */
export function numberParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Ids pass as a bounded list: the largest id a before-cursor may name when none is given. */
export const NO_CURSOR = Number.MAX_SAFE_INTEGER;
