import { type Kysely, sql } from 'kysely';
import type { FieldProblem } from '../../domain/call-event.js';
import type { DerivedRowsReader, LifecycleRollupRow, RecordResult, StoredConflict, StoredGroupEvent, StoredQuarantineEntry, StoredRawRequest, StoredRollupRow } from '../port.js';
import { callRowToCall } from './call-row.js';
import { ROLLUP_DIMENSIONS } from '../../domain/stats/rollup-cells.js';
import { ROLLUP_COLUMNS } from './rollup-rows.js';
import type { Database, RawRequestsTable } from './schema-types.js';

/** Rollup columns that hold text; the others are read back as numbers. */
const ROLLUP_TEXT_COLUMNS = new Set<string>(['dim', 'value', 'duration_hist', 'tta_hist', 'peak_reach']);

/** The reader of raw requests and derived rows on a Kysely instance of either dialect (queries written once). */
export function createDerivedRowsReader(db: Kysely<Database>): DerivedRowsReader {
  return {
    async rawRequestsAfter(afterId, limit) {
      const rows = await db.selectFrom('raw_requests').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rows.map(rawRowToStored);
    },
    async rawRequestsById(ids) {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('raw_requests').selectAll().where('id', 'in', [...ids]).orderBy('id').execute();
      return rows.map(rawRowToStored);
    },
    async existingRawRequestIds(ids) {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('raw_requests').select('id').where('id', 'in', [...ids]).execute();
      return new Set(rows.map((r) => Number(r.id)));
    },
    async lastRawRequestId() {
      const row = await db.selectFrom('raw_requests').select((eb) => eb.fn.max('id').as('last')).executeTakeFirst();
      return Number(row?.last ?? 0);
    },
    async callsAfter(afterId, limit) {
      const rows = await db.selectFrom('calls').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
      return rows.map((row) => ({ id: Number(row.id), call: callRowToCall(row) }));
    },
    async callsBySid(sids) {
      if (sids.length === 0) return [];
      const rows = await db.selectFrom('calls').selectAll().where('sid', 'in', [...sids]).execute();
      return rows.map(callRowToCall);
    },
    async conflictsOfSids(sids) {
      if (sids.length === 0) return [];
      const rows = await db.selectFrom('call_conflicts').select(['sid', 'content_hash', 'received_at', 'raw_request_id'])
        .where('sid', 'in', [...sids]).orderBy('id').execute();
      return rows.map((r): StoredConflict => ({ sid: r.sid, content_hash: r.content_hash, received_at: Number(r.received_at), raw_request_id: Number(r.raw_request_id) }));
    },
    async groupEventsAfter(afterRawId, limit) {
      const rows = await db.selectFrom('group_call_events').select(['raw_request_id', 'sid', 'user_svc_id', 'user_id', 'sc', 'msc', 'ts', 'content_hash', 'conflicts'])
        .where('raw_request_id', '>', afterRawId).orderBy('raw_request_id').limit(limit).execute();
      return rows.map((r): StoredGroupEvent => ({
        raw_request_id: Number(r.raw_request_id),
        sid: r.sid,
        key: JSON.stringify([r.sid, r.user_svc_id, r.user_id, r.sc, r.msc, Number(r.ts)]),
        content_hash: r.content_hash,
        conflicts: Number(r.conflicts),
      }));
    },
    async quarantineAfter(afterRawId, limit) {
      const rows = await db.selectFrom('quarantine').selectAll().where('raw_request_id', '>', afterRawId)
        .orderBy('raw_request_id').limit(limit).execute();
      return rows.map(quarantineRowToStored);
    },
    async quarantineToReplay(query) {
      let q = db.selectFrom('quarantine').selectAll().where('id', '>', query.afterId);
      if (query.since !== undefined) q = q.where('received_at', '>=', query.since);
      if (query.ids !== undefined) q = q.where('id', 'in', query.ids.length === 0 ? [-1] : [...query.ids]);
      const rows = await q.orderBy('id').limit(query.limit).execute();
      return rows.map(quarantineRowToStored);
    },
    async rollupSlotsAfter(afterSlot, limit) {
      // Every hour with calls has an `all` row: the primary key (dim, slot, value) finds them in order.
      const rows = await sql<{ slot: number | string }>`SELECT DISTINCT slot FROM call_rollups WHERE dim = 'all' AND slot > ${afterSlot} ORDER BY slot LIMIT ${limit}`.execute(db);
      return rows.rows.map((r) => Number(r.slot));
    },
    async rollupsInSlots(fromSlot, toSlot) {
      // Naming every dimension lets the primary key (dim, slot, value) serve the slot range.
      const rows = await sql<Record<string, unknown>>`SELECT ${sql.raw(ROLLUP_COLUMNS.join(', '))} FROM call_rollups
        WHERE dim IN (${sql.join(ROLLUP_DIMENSIONS)}) AND slot > ${fromSlot} AND slot <= ${toSlot}`.execute(db);
      const stale = await sql<{ slot: number | string }>`SELECT slot FROM rollup_stale_peaks WHERE slot > ${fromSlot} AND slot <= ${toSlot}`.execute(db);
      return { rows: rows.rows.map(rollupRowToStored), stalePeakSlots: new Set(stale.rows.map((r) => Number(r.slot))) };
    },
    async lifecycleRollupsAfter(counter, afterSlot, limit) {
      // The primary key (counter, slot, value) serves one counter's slots in order.
      const rows = await sql<Record<string, unknown>>`SELECT slot, counter, value, n FROM lifecycle_rollups
        WHERE counter = ${counter} AND slot > ${afterSlot} ORDER BY slot LIMIT ${limit}`.execute(db);
      return rows.rows.map(lifecycleRowOf);
    },
    async lifecycleRollupsInSlots(counter, fromSlot, toSlot) {
      const rows = await sql<Record<string, unknown>>`SELECT slot, counter, value, n FROM lifecycle_rollups
        WHERE counter = ${counter} AND slot > ${fromSlot} AND slot <= ${toSlot}`.execute(db);
      return rows.rows.map(lifecycleRowOf);
    },
  };
}

function lifecycleRowOf(r: Record<string, unknown>): LifecycleRollupRow {
  return { slot: Number(r.slot), counter: String(r.counter), value: String(r.value), n: Number(r.n) };
}

type RawRow = { [K in keyof RawRequestsTable]: K extends 'id' ? number : RawRequestsTable[K] };

function rawRowToStored(row: RawRow): StoredRawRequest {
  return {
    id: Number(row.id),
    receivedAt: Number(row.received_at),
    method: row.method,
    path: row.path,
    query: row.query,
    body: row.body,
    contentType: row.content_type,
    sourceIp: row.source_ip,
    result: row.result as RecordResult,
    unreadReasons: row.unread_reasons === null ? null : (JSON.parse(row.unread_reasons) as FieldProblem[]),
  };
}

function quarantineRowToStored(row: { id: number; raw_request_id: number; received_at: number; reasons: string }): StoredQuarantineEntry {
  return {
    id: Number(row.id),
    raw_request_id: Number(row.raw_request_id),
    received_at: Number(row.received_at),
    reasons: JSON.parse(row.reasons) as FieldProblem[],
  };
}

function rollupRowToStored(row: Record<string, unknown>): StoredRollupRow {
  const out: Record<string, string | number> = {};
  for (const column of ROLLUP_COLUMNS) out[column] = ROLLUP_TEXT_COLUMNS.has(column) ? String(row[column]) : Number(row[column]);
  return out as StoredRollupRow;
}
