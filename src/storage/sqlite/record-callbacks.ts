import type { CallEvent } from '../../domain/call-event.js';
import { canonicalizeEvent } from '../../domain/canonical-event.js';
import type { CallbackRecord, RawRequest, RecordResult } from '../port.js';
import { createSqliteRollups } from './rollups.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** Longest sid text kept with a malformed request, for searching the quarantine. */
const MAX_RAW_SID_CHARS = 64;

/**
 * Builds the group-commit writer: one IMMEDIATE transaction per batch, so that a
 * whole batch costs one fsync. Prepared once; called from the single writer.
 */
export function createCallbackRecorder(db: SqliteDatabase): (records: readonly CallbackRecord[]) => RecordResult[] {
  const insertRaw = db.prepare(`INSERT INTO raw_requests
    (received_at, method, path, query, body, content_type, source_ip, result, sid)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const selectCallHash = db.prepare('SELECT content_hash FROM calls WHERE sid = ?');
  const selectConflict = db.prepare('SELECT 1 FROM call_conflicts WHERE sid = ? AND content_hash = ?');
  const insertCall = db.prepare(`INSERT INTO calls (
    sid, from_service_id, from_user_id, to_service_id, to_user_id, type, stid, app_svr_data,
    setup_time, start_time, end_time, duration, billing_sec, srcip, dstip, terminate,
    disconnect_reason, releaser_type, call_end_reason, releaser, rel_code, rel_code_str,
    user_rel_code, extra, content_hash, received_at, raw_request_id, conflicts,
    outcome, ended_by, reason, reason_source, classifier_version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`);
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
    const { event, contentHash, classification: c } = record;
    const existing = selectCallHash.get(event.sid) as { content_hash: string } | undefined;
    if (existing === undefined) {
      const rawId = raw(record.raw, 'accepted', event.sid);
      insertCall.run(...callValues(event), contentHash, record.raw.receivedAt, rawId,
        c.outcome, c.ended_by, c.reason, c.reason_source, c.classifier_version);
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

  const rollups = createSqliteRollups(db);
  const recordBatch = db.transaction((records: readonly CallbackRecord[]) => {
    const results = records.map(recordOne);
    // Statistics rollups of the hours that gained a call, in this same transaction.
    rollups.addCalls(records.flatMap((r, i) => (r.kind === 'event' && results[i] === 'accepted' ? [{ ...r.event, ...r.classification }] : [])));
    return results;
  });
  return (records) => recordBatch.immediate(records);
}

function callValues(e: CallEvent): unknown[] {
  return [
    e.sid, e.from_service_id, e.from_user_id, e.to_service_id, e.to_user_id, e.type, e.stid, e.app_svr_data,
    e.setup_time, e.start_time, e.end_time, e.duration, e.billing_sec, e.srcip, e.dstip, e.terminate,
    e.disconnect_reason, e.releaser_type, e.call_end_reason, e.releaser, e.rel_code, e.rel_code_str,
    e.user_rel_code, JSON.stringify(e.extra),
  ];
}
