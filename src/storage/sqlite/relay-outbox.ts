import type { RawRequest, RelayKind, RelayOutbox } from '../port.js';
import {
  DEAD_COUNT_SQL, DEAD_LETTERS_SQL, type DeadLetterRow, deadLetterOf, DELIVERED_COUNT_SQL, ENQUEUE_COLUMNS, enqueueValues, HOLD_BACK_LATER_SQL, leaseSql,
  NO_CURSOR, PENDING_COUNTS_SQL, RETRY_DEAD_SQL, type RelayItemRow, relayItemOf, SETTLE_SQL, settleValues,
} from '../sql/relay-outbox-sql.js';
import type { SqliteDatabase } from './sqlite-driver.js';
import { withoutFsync } from './without-fsync.js';

/**
 * Puts one request in the relay outbox. Call it inside the transaction that records the
 * request (it runs no transaction of its own): the row commits with the record or not at all.
 *
 * @example const enqueue = createSqliteRelayEnqueuer(db); enqueue('call-event', sid, raw);
 */
export function createSqliteRelayEnqueuer(db: SqliteDatabase): (kind: RelayKind, sid: string, raw: RawRequest) => void {
  const insert = db.prepare(`INSERT INTO relay_outbox (${ENQUEUE_COLUMNS}) VALUES (${ENQUEUE_COLUMNS.split(',').map(() => '?').join(', ')})`);
  return (kind, sid, raw) => {
    insert.run(...enqueueValues(kind, sid, raw));
  };
}

/**
 * The SQLite relay outbox. The relay's own writes (leases, settlements) run without
 * waiting for an fsync (withoutFsync): the relay writes twice per batch, and an fsync on the
 * event loop cut ingest to a fifth in bench/relay/run.ts; a lost lease or settlement only
 * repeats a delivery, which at-least-once allows. One process writes a SQLite file, so leasing needs no row locks;
 * the lease and its expiry work as on PostgreSQL all the same (a restarted receiver takes
 * back the items a killed one had leased once their leases expire).
 */
export function createSqliteRelayOutbox(db: SqliteDatabase): RelayOutbox {
  const lease = db.prepare(leaseSql(''));
  const settle = db.prepare(SETTLE_SQL);
  const holdBackLater = db.prepare(HOLD_BACK_LATER_SQL);
  const pendingCounts = db.prepare(PENDING_COUNTS_SQL);
  const deadCount = db.prepare(DEAD_COUNT_SQL);
  const deliveredCount = db.prepare(DELIVERED_COUNT_SQL);
  const deadLetters = db.prepare(DEAD_LETTERS_SQL);
  const retryAll = db.prepare(RETRY_DEAD_SQL);
  const retryOne = db.prepare(`${RETRY_DEAD_SQL} AND id = ?`);
  const settleAll = db.transaction((owner: string, settlements: Parameters<RelayOutbox['settle']>[1], now: number) => {
    for (const s of settlements) {
      const settled = settle.run(...settleValues(s, owner, now)).changes;
      if (settled > 0 && s.outcome === 'retry') holdBackLater.run(s.nextAttemptAt, s.id, s.id, s.nextAttemptAt);
    }
  });
  const retryIds = db.transaction((ids: readonly number[], now: number) =>
    ids.reduce((n, id) => n + retryOne.run(now, id).changes, 0));

  return {
    async lease({ owner, now, leaseMs, limit }) {
      const rows = withoutFsync(db, () => lease.all(owner, now + leaseMs, now, now, limit)) as RelayItemRow[];
      return rows.map(relayItemOf).sort((a, b) => a.id - b.id);
    },
    async settle(owner, settlements, now) {
      if (settlements.length > 0) withoutFsync(db, () => settleAll.immediate(owner, settlements, now));
    },
    async status(now, options = {}) {
      const counts = pendingCounts.get(now) as { pending: number; in_flight: number; oldest: number | null };
      const dead = (deadCount.get() as { n: number }).n;
      const delivered = options.countDelivered === true ? (deliveredCount.get() as { n: number }).n : null;
      return { pending: counts.pending - counts.in_flight, inFlight: counts.in_flight, delivered, dead, oldestPendingReceivedAt: counts.oldest };
    },
    async listDeadLetters({ limit, beforeId }) {
      return (deadLetters.all(beforeId ?? NO_CURSOR, limit) as DeadLetterRow[]).map(deadLetterOf);
    },
    async retryDeadLetters(ids, now) {
      if (ids === 'all') return retryAll.run(now).changes;
      return retryIds.immediate(ids, now);
    },
  };
}
