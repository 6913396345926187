import { canonicalizeEvent } from '../../domain/canonical-event.js';
import { type CallbackRecord, type KeyedCallbackRecord, type RawRequest, type RecordOptions, type RecordResult, relayedOf, type StoredCallbackRecord, type StoredRecordResult } from '../port.js';
import { CALL_INSERT_COLUMNS, newCallValues } from '../sql/call-columns.js';
import { KEYED_TABLES, keyedRowOf } from '../sql/keyed-callback-columns.js';
import { createSqliteRelayEnqueuer } from './relay-outbox.js';
import { createSqliteRollups } from './rollups.js';
import { lifecycleAfter, lifecycleBefore, lifecycleSids } from '../sql/lifecycle-rollups.js';
import { driveSync } from '../sql/sql-steps.js';
import { applyGroupEvents } from '../sql/apply-group-events.js';
import { recordGroupEvent } from '../sql/record-group-events.js';
import { createSqliteExecutor } from './sql-step-runner.js';
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver.js';

/** Longest sid text kept with a malformed request, for searching the quarantine. */
const MAX_RAW_SID_CHARS = 64;

/**
 * Builds the group-commit writer: one IMMEDIATE transaction per batch, so that a
 * whole batch costs one fsync. Prepared once; called from the single writer.
 */
export function createSqliteCallbackRecorder(db: SqliteDatabase, options: RecordOptions = {}): SqliteCallbackRecorder {
  const insertRaw = db.prepare(`INSERT INTO raw_requests
    (received_at, method, path, query, body, content_type, source_ip, result, sid, unread_reasons)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertRawWithId = db.prepare(`INSERT INTO raw_requests
    (id, received_at, method, path, query, body, content_type, source_ip, result, sid, unread_reasons)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const updateRaw = db.prepare('UPDATE raw_requests SET result = ?, sid = ? WHERE id = ?');
  const updateQuarantine = db.prepare('UPDATE quarantine SET reasons = ? WHERE raw_request_id = ?');
  const deleteQuarantine = db.prepare('DELETE FROM quarantine WHERE raw_request_id = ?');
  const selectQuarantined = db.prepare('SELECT 1 FROM quarantine WHERE raw_request_id = ?');
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

  const recordKeyed = createSqliteKeyedRecorder(db);

  let mode: Mode = 'live';
  const raw = (record: CallbackRecord, result: RecordResult, sid: string | null): number => {
    const r: RawRequest = record.raw;
    const unread = r.unreadReasons == null ? null : JSON.stringify(r.unreadReasons);
    const id = (record as Partial<StoredCallbackRecord>).rawRequestId;
    if (mode === 'live' || id === undefined) {
      return Number(insertRaw.run(r.receivedAt, r.method, r.path, r.query, r.body, r.contentType, r.sourceIp, result, sid, unread).lastInsertRowid);
    }
    if (mode === 'rebuild') insertRawWithId.run(id, r.receivedAt, r.method, r.path, r.query, r.body, r.contentType, r.sourceIp, result, sid, unread);
    else {
      updateRaw.run(result, sid, id);
      if (result !== 'quarantined') deleteQuarantine.run(id);
    }
    return id;
  };

  const recordOne = (record: CallbackRecord): StoredRecordResult => {
    // Inside the IMMEDIATE transaction: a replay in another process that took the entry first has committed.
    if (mode === 'replay' && selectQuarantined.get((record as StoredCallbackRecord).rawRequestId) === undefined) return 'already_replayed';
    if (record.kind === 'malformed') {
      const sid = record.sid === null ? null : record.sid.slice(0, MAX_RAW_SID_CHARS);
      const rawId = raw(record, 'quarantined', sid);
      const reasons = JSON.stringify(record.problems);
      if (mode === 'replay') updateQuarantine.run(reasons, rawId);
      else insertQuarantine.run(rawId, record.raw.receivedAt, reasons);
      return 'quarantined';
    }
    if (record.kind === 'group-call-event') return driveSync(recordGroupEvent(record, (result) => raw(record, result, record.groupEvent.sid)), execute);
    if (record.kind !== 'event') return recordKeyed(record, (result, sid) => raw(record, result, sid));
    const { event, contentHash, classification } = record;
    const existing = selectCallHash.get(event.sid) as { content_hash: string } | undefined;
    if (existing === undefined) {
      const rawId = raw(record, 'accepted', event.sid);
      insertCall.run(...newCallValues(event, { contentHash, receivedAt: record.raw.receivedAt, rawRequestId: rawId, classification }));
      return 'accepted';
    }
    if (existing.content_hash === contentHash || selectConflict.get(event.sid, contentHash) !== undefined) {
      raw(record, 'duplicate', event.sid);
      return 'duplicate';
    }
    const rawId = raw(record, 'conflict', event.sid);
    insertConflict.run(event.sid, contentHash, canonicalizeEvent(event), record.raw.receivedAt, rawId);
    countConflict.run(event.sid);
    return 'conflict';
  };

  const enqueueRelay = options.relayCallEvents === true || options.relayAgentCallStatuses === true ? createSqliteRelayEnqueuer(db) : null;
  const rollups = createSqliteRollups(db);
  const execute = createSqliteExecutor(db);
  const recordBatch = db.transaction((records: readonly CallbackRecord[]) => {
    // The lifecycle rollups follow every sid this batch may change, in this same transaction.
    const lifecycle = driveSync(lifecycleBefore('sqlite', lifecycleSids(records)), execute);
    const results = records.map(recordOne);
    driveSync(lifecycleAfter(lifecycle), execute);
    // Each room session an event or a conflicting version changed, brought up to date.
    driveSync(applyGroupEvents('sqlite', records.flatMap((record, i) => (record.kind === 'group-call-event' ? [{ record, result: results[i] as RecordResult }] : []))), execute);
    // The relay outbox rows, in this same transaction: a committed delivery is never lost to
    // the relay. A replayed delivery is relayed as if it had arrived on time; a rebuild relays nothing.
    if (enqueueRelay !== null && mode !== 'rebuild') {
      records.forEach((r, i) => {
        for (const item of relayedOf(r, results[i] as RecordResult, options)) enqueueRelay(item.kind, item.sid, item.raw);
      });
    }
    // Statistics rollups of the hours that gained a call, in this same transaction; a rebuild
    // builds them once at the end from all its calls (rebuild-from-raw.ts), far faster.
    if (mode !== 'rebuild') rollups.addCalls(records.flatMap((r, i) => (r.kind === 'event' && results[i] === 'accepted' ? [{ ...r.event, ...r.classification }] : [])));
    return results;
  });
  return {
    record: (records) => {
      mode = 'live';
      return recordBatch.immediate(records) as RecordResult[]; // live records are never `already_replayed`
    },
    recordStored: (records, options) => {
      mode = options.mode;
      if (options.dryRun !== true) return recordBatch.immediate(records);
      // The same transaction, rolled back by a throw: the results of what would happen.
      let results: StoredRecordResult[] = [];
      try {
        db.transaction(() => {
          results = recordBatch(records);
          throw DRY_RUN_ROLLBACK;
        }).immediate();
      } catch (error) {
        if (error !== DRY_RUN_ROLLBACK) throw error;
      }
      return results;
    },
  };
}

type Mode = 'live' | 'replay' | 'rebuild';
const DRY_RUN_ROLLBACK = new Error('dry run: rolled back');

/** The single writer's two ways in: new deliveries, and deliveries read again from stored raw requests. */
export interface SqliteCallbackRecorder {
  record(records: readonly CallbackRecord[]): RecordResult[];
  recordStored(records: readonly StoredCallbackRecord[], options: { mode: 'replay' | 'rebuild'; dryRun?: boolean }): StoredRecordResult[];
}

/**
 * The writer of Notify and Agent Call Status deliveries, inside the batch's transaction:
 * the first version of a sid is kept, an identical repeat is a duplicate, a differing one
 * a conflicting version (callback_conflicts), as for Call Events.
 */
function createSqliteKeyedRecorder(db: SqliteDatabase) {
  const statements = new Map(
    Object.values(KEYED_TABLES).map((table) => [table, {
      selectHash: db.prepare(`SELECT content_hash FROM ${table} WHERE sid = ?`),
      countConflict: db.prepare(`UPDATE ${table} SET conflicts = conflicts + 1 WHERE sid = ?`),
    }]),
  );
  const inserts = new Map<string, SqliteStatement>();
  const selectConflict = db.prepare('SELECT 1 FROM callback_conflicts WHERE kind = ? AND sid = ? AND content_hash = ?');
  const insertConflict = db.prepare(`INSERT INTO callback_conflicts
    (kind, sid, content_hash, content, received_at, raw_request_id) VALUES (?, ?, ?, ?, ?, ?)`);

  return (record: KeyedCallbackRecord, raw: (result: RecordResult, sid: string) => number): RecordResult => {
    const table = KEYED_TABLES[record.kind];
    const own = statements.get(table) as { selectHash: SqliteStatement; countConflict: SqliteStatement };
    const probe = keyedRowOf(record, 0);
    const existing = own.selectHash.get(probe.sid) as { content_hash: string } | undefined;
    if (existing === undefined) {
      const row = keyedRowOf(record, raw('accepted', probe.sid));
      let insert = inserts.get(table);
      if (insert === undefined) {
        insert = db.prepare(`INSERT INTO ${table} (${row.columns.join(', ')}) VALUES (${row.columns.map(() => '?').join(', ')})`);
        inserts.set(table, insert);
      }
      insert.run(...row.values);
      return 'accepted';
    }
    if (existing.content_hash === record.contentHash || selectConflict.get(record.kind, probe.sid, record.contentHash) !== undefined) {
      raw('duplicate', probe.sid);
      return 'duplicate';
    }
    const rawId = raw('conflict', probe.sid);
    insertConflict.run(record.kind, probe.sid, record.contentHash, record.content, record.raw.receivedAt, rawId);
    own.countConflict.run(probe.sid);
    return 'conflict';
  };
}
