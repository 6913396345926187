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
  WHERE o.id = u.id AND o.lease_owner = $6 AND o.state = 'pending'`;

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
      await pool.query(SETTLE, [...columns, owner]);
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
