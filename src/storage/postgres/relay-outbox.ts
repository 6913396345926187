import type pg from 'pg';
import type { RawRequest, RelayKind, RelayOutbox } from '../port.js';
import {
  DEAD_COUNT_SQL, DEAD_LETTERS_SQL, type DeadLetterRow, deadLetterOf, DELIVERED_COUNT_SQL, ENQUEUE_COLUMNS, enqueueValues, leaseSql,
  NO_CURSOR, numberParams, PENDING_COUNTS_SQL, RETRY_DEAD_SQL, type RelayItemRow, relayItemOf, settleValues,
} from '../sql/relay-outbox-sql.js';
import { pgText } from './record-callbacks.js';

type Querier = Pick<pg.PoolClient, 'query'>;

/** One request to put in the relay outbox. */
export interface RelayEnqueue {
  kind: RelayKind;
  sid: string;
  raw: RawRequest;
}

const ENQUEUE_ARRAY_TYPES = ['text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint'];
const ENQUEUE = `INSERT INTO relay_outbox (${ENQUEUE_COLUMNS})
  SELECT * FROM unnest(${ENQUEUE_ARRAY_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;

/**
 * Puts requests in the relay outbox, in input order, in one statement. Call it on the
 * client of the transaction that records them: the rows commit with the records or not at all.
 *
 * @example await enqueueRelayPostgres(client, [{ kind: 'call-event', sid, raw }]);
 */
export async function enqueueRelayPostgres(db: Querier, items: readonly RelayEnqueue[]): Promise<void> {
  if (items.length === 0) return;
  const rows = items.map((item) => enqueueValues(item.kind, item.sid, item.raw).map((v) => (typeof v === 'string' ? pgText(v) : v)));
  await db.query(ENQUEUE, ENQUEUE_ARRAY_TYPES.map((_, c) => rows.map((row) => row[c] ?? null)));
}

const LEASE = numberParams(leaseSql(' FOR UPDATE SKIP LOCKED'));
// SETTLE_SQL (relay-outbox-sql.ts) batched: the same columns from settleValues, one array each.
const SETTLE = `UPDATE relay_outbox AS o SET state = u.state, next_attempt_at = coalesce(u.next_at, o.next_attempt_at),
  last_error = u.error, settled_at = u.settled_at, lease_owner = NULL, lease_until = NULL
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[]) AS u(state, next_at, error, settled_at, id)
  WHERE o.id = u.id AND o.lease_owner = $6 AND o.state = 'pending'
  RETURNING o.id, o.sid, o.next_attempt_at`;
// HOLD_BACK_LATER_SQL (relay-outbox-sql.ts) batched over the retried rows.
const HOLD_BACK_LATER = `UPDATE relay_outbox AS later SET next_attempt_at = f.next_at
  FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS f(sid, id, next_at)
  WHERE later.sid = f.sid AND later.state = 'pending' AND later.id > f.id AND later.next_attempt_at < f.next_at`;

/**
 * The PostgreSQL relay outbox, shared by every receiver on the database: a lease takes its
 * rows with FOR UPDATE SKIP LOCKED, so two receivers never lease the same item, and an
 * expired lease (a receiver that died) makes the item due again for any of them.
 */
export function createPostgresRelayOutbox(pool: pg.Pool): RelayOutbox {
  return {
    async lease({ owner, now, leaseMs, limit }) {
      const { rows } = await pool.query<RelayItemRow>(LEASE, [owner, now + leaseMs, now, now, limit]);
      return rows.map(relayItemOf).sort((a, b) => a.id - b.id);
    },
    async settle(owner, settlements, now) {
      if (settlements.length === 0) return;
      const rows = settlements.map((s) => settleValues(s, owner, now));
      const columns: unknown[] = [0, 1, 2, 3, 4].map((c) => rows.map((r) => r[c] ?? null));
      const retried = new Set(settlements.flatMap((s) => (s.outcome === 'retry' ? [s.id] : [])));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const settled = await client.query<{ id: string; sid: string; next_attempt_at: string }>(SETTLE, [...columns, owner]);
        const held = settled.rows.filter((r) => retried.has(Number(r.id)));
        if (held.length > 0) await client.query(HOLD_BACK_LATER, [held.map((r) => r.sid), held.map((r) => r.id), held.map((r) => r.next_attempt_at)]);
        await client.query('COMMIT');
      } catch (error) {
        // A connection that cannot even roll back is destroyed rather than reused.
        const broken = await client.query('ROLLBACK').then(() => undefined, (e: Error) => e);
        client.release(broken);
        throw error;
      }
      client.release();
    },
    async status(now, options = {}) {
      const counts = (await pool.query<{ pending: string; in_flight: string; oldest: string | null }>(numberParams(PENDING_COUNTS_SQL), [now])).rows[0];
      const dead = Number((await pool.query<{ n: string }>(DEAD_COUNT_SQL)).rows[0]?.n ?? 0);
      const delivered = options.countDelivered === true ? Number((await pool.query<{ n: string }>(DELIVERED_COUNT_SQL)).rows[0]?.n ?? 0) : null;
      const pending = Number(counts?.pending ?? 0);
      const inFlight = Number(counts?.in_flight ?? 0);
      const oldest = counts?.oldest ?? null;
      return { pending: pending - inFlight, inFlight, delivered, dead, oldestPendingReceivedAt: oldest === null ? null : Number(oldest) };
    },
    async listDeadLetters({ limit, beforeId }) {
      const { rows } = await pool.query<DeadLetterRow>(numberParams(DEAD_LETTERS_SQL), [beforeId ?? NO_CURSOR, limit]);
      return rows.map(deadLetterOf);
    },
    async retryDeadLetters(ids, now) {
      const result = ids === 'all'
        ? await pool.query(numberParams(RETRY_DEAD_SQL), [now])
        : await pool.query(`${numberParams(RETRY_DEAD_SQL)} AND id = ANY($2::bigint[])`, [now, ids]);
      return result.rowCount ?? 0;
    },
  };
}
