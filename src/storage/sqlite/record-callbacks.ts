import { canonicalizeEvent } from '../../domain/canonical-event.js';
import { type CallbackRecord, type RawRequest, type RecordOptions, type RecordResult, RELAYED_RESULTS } from '../port.js';
import { CALL_INSERT_COLUMNS, newCallValues } from '../sql/call-columns.js';
import { createSqliteRelayEnqueuer } from './relay-outbox.js';
import { createSqliteRollups } from './rollups.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** Longest sid text kept with a malformed request, for searching the quarantine. */
const MAX_RAW_SID_CHARS = 64;

/**
 * Builds the group-commit writer: one IMMEDIATE transaction per batch, so that a
 * whole batch costs one fsync. Prepared once; called from the single writer.
 */
export function createSqliteCallbackRecorder(
  db: SqliteDatabase,
  options: RecordOptions = {},
): (records: readonly CallbackRecord[]) => RecordResult[] {
  const insertRaw = db.prepare(`INSERT INTO raw_requests
    (received_at, method, path, query, body, content_type, source_ip, result, sid)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const selectCallHash = db.prepare('SELECT content_hash FROM calls WHERE sid = ?');
  const selectConflict = db.prepare('SELECT 1 FROM call_conflicts WHERE sid = ? AND content_hash = ?');
  const insertCall = db.prepare(`INSERT INTO calls (${CALL_INSERT_COLUMNS.map((c) => c.name).join(', ')})
    VALUES (${CALL_INSERT_COLUMNS.map(() => '?').join(', ')})`);
  const insertConflict = db.prepare(`INSERT INTO call_conflicts
    (sid, content_hash, event, received_at, raw_request_id) VALUES (?, ?, ?, ?, ?)`);
  const countConflict = db.prepare('UPDATE calls SET conflicts = conflicts + 1 WHERE sid = ?');
  const insertQuarantine = db.prepare(
    'INSERT INTO quarantine (raw_request_id, received_at, reasons) VALUES (?, ?, ?)',
  );

  const raw = (r: RawRequest, result: RecordResult, sid: string | null): number =>
    Number(
      insertRaw.run(r.receivedAt, r.method, r.path, r.query, r.body, r.contentType, r.sourceIp, result, sid)
        .lastInsertRowid,
    );

  const recordOne = (record: CallbackRecord): RecordResult => {
    if (record.kind === 'malformed') {
      const sid = record.sid === null ? null : record.sid.slice(0, MAX_RAW_SID_CHARS);
      const rawId = raw(record.raw, 'quarantined', sid);
      insertQuarantine.run(rawId, record.raw.receivedAt, JSON.stringify(record.problems));
      return 'quarantined';
    }
    const { event, contentHash, classification } = record;
    const existing = selectCallHash.get(event.sid) as { content_hash: string } | undefined;
    if (existing === undefined) {
      const rawId = raw(record.raw, 'accepted', event.sid);
      insertCall.run(...newCallValues(event, { contentHash, receivedAt: record.raw.receivedAt, rawRequestId: rawId, classification }));
      return 'accepted';
    }
    if (existing.content_hash === contentHash || selectConflict.get(event.sid, contentHash) !== undefined) {
      raw(record.raw, 'duplicate', event.sid);
      return 'duplicate';
    }
    const rawId = raw(record.raw, 'conflict', event.sid);
    insertConflict.run(event.sid, contentHash, canonicalizeEvent(event), record.raw.receivedAt, rawId);
    countConflict.run(event.sid);
    return 'conflict';
  };

  const enqueueRelay = options.relayCallEvents === true ? createSqliteRelayEnqueuer(db) : null;
  const rollups = createSqliteRollups(db);
  const recordBatch = db.transaction((records: readonly CallbackRecord[]) => {
    const results = records.map(recordOne);
    // The relay outbox rows, in this same transaction: a committed delivery is never lost to the relay.
    if (enqueueRelay !== null) {
      records.forEach((r, i) => {
        if (r.kind === 'event' && RELAYED_RESULTS.has(results[i] as RecordResult)) enqueueRelay('call-event', r.event.sid, r.raw);
      });
    }
    // Statistics rollups of the hours that gained a call, in this same transaction.
    rollups.addCalls(records.flatMap((r, i) => (r.kind === 'event' && results[i] === 'accepted' ? [{ ...r.event, ...r.classification }] : [])));
    return results;
  });
  return (records) => recordBatch.immediate(records);
}
