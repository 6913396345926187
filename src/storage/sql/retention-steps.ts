import { GROUP_CONFLICT_KIND, lockGroupSids } from './record-group-events.js';
import { markGroupSlotsStale } from './group-rollup-refresh.js';
import { truncateIpsInCanonicalEvent } from '../../domain/privacy/scrub-canonical-event.js';
import { truncateIpsInForm } from '../../domain/privacy/scrub-form.js';
import { truncateIp } from '../../domain/privacy/truncate-ip.js';
import { PEAK_REACH_HOURS } from '../../domain/stats/peak-reach.js';
import { ROLLUP_DIMENSIONS, ROLLUP_SLOT_SEC, slotOf } from '../../domain/stats/rollup-cells.js';
import { ROLLUP_GRAINS } from './rollup-refresh.js';
import { ROLLUP_LOCK_CLASS } from './rollup-tables.js';
import { placeholders, type SqlDialectName, type SqlSteps, sql } from './sql-steps.js';
import { refreshSlotPeaksSteps, stalePeakSql } from './stale-peaks.js';

/** What one batch did: rows per table, and whether more may be left. */
export interface BatchOutcome {
  counts: Record<string, number>;
  more: boolean;
}

/** Rollup hours removed per transaction at most (every dimension of each hour). */
export const ROLLUP_HOURS_PER_BATCH = 24;
/** A batch size in rows as rollup hours: an hour holds some tens of rows across its dimensions and grains. */
const ROWS_PER_ROLLUP_HOUR = 10;

/** The rollup hours of a batch of `rows` rows (the pacing's size), 1 to ROLLUP_HOURS_PER_BATCH. */
export function rollupHoursOf(rows: number): number {
  return Math.max(1, Math.min(ROLLUP_HOURS_PER_BATCH, Math.floor(rows / ROWS_PER_ROLLUP_HOUR)));
}

const ids = (rows: Array<Record<string, unknown>>, column = 'id') => rows.map((r) => Number(r[column]));
const count = (rows: Array<Record<string, unknown>>) => Number(rows[0]?.n ?? 0);

/** Raw requests received before the cutoff, except quarantined ones (they live as long as their quarantine entry). */
export function* removeRawRequests(beforeMs: number, size: number): SqlSteps<BatchOutcome> {
  const { rows } = yield sql("SELECT id FROM raw_requests WHERE received_at < ? AND result <> 'quarantined' ORDER BY received_at LIMIT ?", beforeMs, size);
  if (rows.length > 0) yield sql(`DELETE FROM raw_requests WHERE id IN (${placeholders(rows.length)})`, ...ids(rows));
  return { counts: { raw_requests: rows.length }, more: rows.length === size };
}

export function* countRawRequests(beforeMs: number): SqlSteps<Record<string, number>> {
  const { rows } = yield sql("SELECT COUNT(*) AS n FROM raw_requests WHERE received_at < ? AND result <> 'quarantined'", beforeMs);
  return { raw_requests: count(rows) };
}

/** Quarantine entries received before the cutoff, each with its raw request (quarantine ids grow with time). */
export function* removeQuarantine(beforeMs: number, size: number): SqlSteps<BatchOutcome> {
  const { rows } = yield sql('SELECT id, raw_request_id FROM quarantine WHERE received_at < ? ORDER BY id LIMIT ?', beforeMs, size);
  if (rows.length > 0) {
    yield sql(`DELETE FROM quarantine WHERE id IN (${placeholders(rows.length)})`, ...ids(rows));
    yield sql(`DELETE FROM raw_requests WHERE id IN (${placeholders(rows.length)})`, ...ids(rows, 'raw_request_id'));
  }
  return { counts: { quarantine: rows.length }, more: rows.length === size };
}

export function* countQuarantine(beforeMs: number): SqlSteps<Record<string, number>> {
  const { rows } = yield sql('SELECT COUNT(*) AS n FROM quarantine WHERE received_at < ?', beforeMs);
  return { quarantine: count(rows) };
}

/**
 * Calls set up before the cutoff (a whole hour), with their conflicting versions; rollups
 * stay. A batch ends on an hour boundary unless one hour alone fills it. In the same
 * transaction, before the calls go, the peaks they feed are made exact where stale
 * (refreshPeaksFedBy): a late delivery for one of their hours since the job's first
 * refresh would otherwise leave those peaks to be recomputed once the calls are gone.
 */
export function* removeCalls(beforeSec: number, size: number, dialect: SqlDialectName = 'sqlite'): SqlSteps<BatchOutcome> {
  const { rows: found } = yield sql('SELECT id, sid, setup_time FROM calls WHERE setup_time < ? ORDER BY setup_time LIMIT ?', beforeSec, size);
  const rows = found.length === size ? wholeHoursOf(found) : found;
  let conflicts = 0;
  const first = rows[0];
  const last = rows.at(-1);
  if (first !== undefined && last !== undefined) {
    yield* refreshPeaksFedBy(Number(first.setup_time), Number(last.setup_time), dialect);
    conflicts = (yield sql(`DELETE FROM call_conflicts WHERE sid IN (${placeholders(rows.length)})`, ...rows.map((r) => r.sid))).changes;
    yield sql(`DELETE FROM calls WHERE id IN (${placeholders(rows.length)})`, ...ids(rows));
  }
  return { counts: { calls: rows.length, call_conflicts: conflicts }, more: found.length === size };
}

/** Calls in setup_time order without those of the last hour, unless that leaves none (one hour fills the batch). */
function wholeHoursOf(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const lastHour = slotOf(Number(rows.at(-1)?.setup_time));
  const whole = rows.filter((r) => Number(r.setup_time) < lastHour);
  return whole.length > 0 ? whole : rows;
}

/**
 * Makes exact, from the calls still there, the stale peaks of every slot (both grains) whose
 * figures calls set up from `firstSetup` to `lastSetup` enter: from the first one's hour to
 * PEAK_REACH_HOURS past the last one's. PostgreSQL first takes those hours' rollup locks, in
 * ascending order as ingest does, so that no delivery marks one of them stale before the
 * transaction commits; on SQLite the transaction holds the only connection that writes.
 */
export function* refreshPeaksFedBy(firstSetup: number, lastSetup: number, dialect: SqlDialectName): SqlSteps<void> {
  const from = slotOf(firstSetup);
  const to = slotOf(lastSetup) + PEAK_REACH_HOURS * ROLLUP_SLOT_SEC;
  if (dialect === 'postgres') {
    yield sql('SELECT pg_advisory_xact_lock(?::int, h) FROM generate_series(?::int, ?::int) AS h', ROLLUP_LOCK_CLASS, from / ROLLUP_SLOT_SEC, to / ROLLUP_SLOT_SEC - 1);
  }
  for (const grain of ROLLUP_GRAINS) {
    const stale = (yield sql(stalePeakSql(grain).selectStale, from, to)).rows;
    for (const { slot } of stale) yield* refreshSlotPeaksSteps(Number(slot), grain);
  }
}

export function* countCalls(beforeSec: number): SqlSteps<Record<string, number>> {
  const calls = count((yield sql('SELECT COUNT(*) AS n FROM calls WHERE setup_time < ?', beforeSec)).rows);
  const conflicts = count((yield sql('SELECT COUNT(*) AS n FROM call_conflicts WHERE sid IN (SELECT sid FROM calls WHERE setup_time < ?)', beforeSec)).rows);
  return { calls, call_conflicts: conflicts };
}

/**
 * Rollup rows of the hours before the cutoff, `hours` hours at a time from the oldest, by
 * primary key ranges (dim, slot): every dimension of an hour goes together.
 */
export function* removeRollups(beforeSec: number, hours = ROLLUP_HOURS_PER_BATCH): SqlSteps<BatchOutcome> {
  const oldest = (yield sql("SELECT MIN(slot) AS slot FROM call_rollups WHERE dim = 'all'")).rows[0]?.slot;
  if (oldest === null || oldest === undefined || Number(oldest) >= beforeSec) {
    // Lifecycle rollups older than every call rollup (a few rows per quarter-hour at most).
    yield sql('DELETE FROM lifecycle_rollups WHERE slot < ?', beforeSec);
    return { counts: { call_rollups: 0 }, more: false };
  }
  const until = Math.min(beforeSec, Number(oldest) + hours * ROLLUP_SLOT_SEC);
  let removed = 0;
  for (const dim of ROLLUP_DIMENSIONS) {
    removed += (yield sql('DELETE FROM call_rollups WHERE dim = ? AND slot < ?', dim, until)).changes;
  }
  yield sql('DELETE FROM rollup_stale_peaks WHERE slot < ?', until);
  // The quarter-hour rows and coarse blocks of the same hours (docs/statistics.md): a block
  // wholly before the cutoff goes; one that straddles it is rebuilt from the hours that stay.
  for (const dim of ROLLUP_DIMENSIONS) yield sql('DELETE FROM call_rollups_q WHERE dim = ? AND slot < ?', dim, until);
  yield sql('DELETE FROM rollup_stale_peaks_q WHERE slot < ?', until);
  yield sql(`INSERT INTO rollup_stale_blocks (width, slot) SELECT DISTINCT width, slot FROM call_rollup_blocks
    WHERE slot < ? AND slot + width > ? ON CONFLICT (width, slot) DO NOTHING`, until, until);
  yield sql('DELETE FROM call_rollup_blocks WHERE slot + width <= ?', until);
  yield sql('DELETE FROM rollup_stale_blocks WHERE slot + width <= ?', until);
  // The call lifecycle rollups of the same hours (migration 14).
  yield sql('DELETE FROM lifecycle_rollups WHERE slot < ?', until);
  return { counts: { call_rollups: removed }, more: until < beforeSec };
}

export function* countRollups(beforeSec: number): SqlSteps<Record<string, number>> {
  const { rows } = yield sql('SELECT COUNT(*) AS n FROM call_rollups WHERE slot < ?', beforeSec);
  return { call_rollups: count(rows) };
}

// IP truncation walks each table once, remembering in retention_progress how far it got.

/** Where a table's IP truncation stopped: the last row's time and id. */
function* readProgress(task: string): SqlSteps<{ time: number; id: number }> {
  const row = (yield sql('SELECT done_time, done_id FROM retention_progress WHERE task = ?', task)).rows[0];
  return row === undefined ? { time: Number.MIN_SAFE_INTEGER, id: 0 } : { time: Number(row.done_time), id: Number(row.done_id) };
}

function* saveProgress(task: string, time: number, id: number): SqlSteps<void> {
  yield sql(
    'INSERT INTO retention_progress (task, done_time, done_id) VALUES (?, ?, ?) ON CONFLICT (task) DO UPDATE SET done_time = excluded.done_time, done_id = excluded.done_id',
    task, time, id,
  );
}

/** Calls set up before the cutoff: srcip and dstip to their networks, in (setup_time, id) order. */
export function* truncateCallIps(beforeMs: number, size: number): SqlSteps<BatchOutcome> {
  const task = 'truncate-ips:calls';
  const at = yield* readProgress(task);
  const { rows } = yield sql(
    'SELECT id, setup_time, srcip, dstip FROM calls WHERE setup_time < ? AND setup_time >= ? AND (setup_time > ? OR id > ?) ORDER BY setup_time, id LIMIT ?',
    Math.floor(beforeMs / 1000), at.time, at.time, at.id, size,
  );
  let changed = 0;
  for (const row of rows) {
    const src = truncateIp(String(row.srcip));
    const dst = truncateIp(String(row.dstip));
    if (src === row.srcip && dst === row.dstip) continue;
    yield sql('UPDATE calls SET srcip = ?, dstip = ? WHERE id = ?', src, dst, row.id);
    changed++;
  }
  const last = rows.at(-1);
  if (last !== undefined) yield* saveProgress(task, Number(last.setup_time), Number(last.id));
  return { counts: { calls: changed }, more: rows.length === size };
}

export function* countCallIps(beforeMs: number): SqlSteps<number> {
  const at = yield* readProgress('truncate-ips:calls');
  const { rows } = yield sql('SELECT COUNT(*) AS n FROM calls WHERE setup_time < ? AND setup_time >= ? AND (setup_time > ? OR id > ?)', Math.floor(beforeMs / 1000), at.time, at.time, at.id);
  return count(rows);
}

/** Raw requests received before the cutoff (quarantined ones too): IPs in the query, the body and the source address. */
export function* truncateRawRequestIps(beforeMs: number, size: number): SqlSteps<BatchOutcome> {
  const task = 'truncate-ips:raw_requests';
  const at = yield* readProgress(task);
  const { rows } = yield sql(
    'SELECT id, received_at, query, body, source_ip FROM raw_requests WHERE received_at < ? AND received_at >= ? AND (received_at > ? OR id > ?) ORDER BY received_at, id LIMIT ?',
    beforeMs, at.time, at.time, at.id, size,
  );
  let changed = 0;
  for (const row of rows) {
    const query = truncateIpsInForm(String(row.query));
    const body = row.body === null ? null : truncateIpsInForm(String(row.body));
    const source = truncateIp(String(row.source_ip));
    if (query === row.query && body === row.body && source === row.source_ip) continue;
    yield sql('UPDATE raw_requests SET query = ?, body = ?, source_ip = ? WHERE id = ?', query, body, source, row.id);
    changed++;
  }
  const last = rows.at(-1);
  if (last !== undefined) yield* saveProgress(task, Number(last.received_at), Number(last.id));
  return { counts: { raw_requests: changed }, more: rows.length === size };
}

export function* countRawRequestIps(beforeMs: number): SqlSteps<number> {
  const at = yield* readProgress('truncate-ips:raw_requests');
  const { rows } = yield sql('SELECT COUNT(*) AS n FROM raw_requests WHERE received_at < ? AND received_at >= ? AND (received_at > ? OR id > ?)', beforeMs, at.time, at.time, at.id);
  return count(rows);
}

/**
 * Conflicting versions received before the cutoff, walked by id (there is no index by
 * time; ids grow with it): stops at the first version received at or after the cutoff.
 */
export function* truncateConflictIps(beforeMs: number, size: number): SqlSteps<BatchOutcome> {
  const task = 'truncate-ips:call_conflicts';
  const at = yield* readProgress(task);
  const { rows } = yield sql('SELECT id, event, received_at FROM call_conflicts WHERE id > ? ORDER BY id LIMIT ?', at.id, size);
  let changed = 0;
  let lastId: number | null = null;
  for (const row of rows) {
    if (Number(row.received_at) >= beforeMs) break;
    lastId = Number(row.id);
    const event = truncateIpsInCanonicalEvent(String(row.event));
    if (event === row.event) continue;
    yield sql('UPDATE call_conflicts SET event = ? WHERE id = ?', event, row.id);
    changed++;
  }
  if (lastId !== null) yield* saveProgress(task, 0, lastId);
  return { counts: { call_conflicts: changed }, more: rows.length === size && lastId === Number(rows.at(-1)?.id) };
}

export function* countConflictIps(beforeMs: number): SqlSteps<number> {
  const at = yield* readProgress('truncate-ips:call_conflicts');
  const { rows } = yield sql('SELECT COUNT(*) AS n FROM call_conflicts WHERE id > ? AND received_at < ?', at.id, beforeMs);
  return count(rows);
}

/**
 * Notifies and Agent Call Statuses received before the calls' cutoff (they are part of a
 * call's life and live as long as calls), with their conflicting versions and, for a
 * Notify, its relay attempts. Their raw requests follow the raw limit, as every other's.
 */
export function* removeKeyedCallbacks(beforeSec: number, size: number): SqlSteps<BatchOutcome> {
  const counts: Record<string, number> = { notifies: 0, agent_call_statuses: 0 };
  let more = false;
  for (const [table, kind] of [['notifies', 'notify'], ['agent_call_statuses', 'agent-call-status']] as const) {
    const { rows } = yield sql(`SELECT id, sid FROM ${table} WHERE received_at < ? ORDER BY id LIMIT ?`, beforeSec * 1000, size);
    if (rows.length === 0) continue;
    const sids = rows.map((r) => String(r.sid));
    yield sql(`DELETE FROM ${table} WHERE id IN (${placeholders(rows.length)})`, ...ids(rows));
    yield sql(`DELETE FROM callback_conflicts WHERE kind = ? AND sid IN (${placeholders(sids.length)})`, kind, ...sids);
    if (table === 'notifies') yield sql(`DELETE FROM notify_relays WHERE sid IN (${placeholders(sids.length)})`, ...sids);
    counts[table] = rows.length;
    more ||= rows.length === size;
  }
  return { counts, more };
}

export function* countKeyedCallbacks(beforeSec: number): SqlSteps<Record<string, number>> {
  const notifies = count((yield sql('SELECT COUNT(*) AS n FROM notifies WHERE received_at < ?', beforeSec * 1000)).rows);
  const statuses = count((yield sql('SELECT COUNT(*) AS n FROM agent_call_statuses WHERE received_at < ?', beforeSec * 1000)).rows);
  return { notifies, agent_call_statuses: statuses };
}

/**
 * Group calls (room sessions) that started before the calls' cutoff, whole: their events,
 * stays and conflicting versions go with them, oldest first. Their raw requests follow the
 * raw limit, as every other's.
 */
export function* removeGroupCalls(beforeSec: number, size: number, dialect: SqlDialectName = 'sqlite'): SqlSteps<BatchOutcome> {
  const { rows } = yield sql('SELECT sid, started_at FROM group_sessions WHERE started_at < ? ORDER BY started_at, sid LIMIT ?', beforeSec * 1000, size);
  if (rows.length === 0) return { counts: { group_sessions: 0, group_call_events: 0 }, more: false };
  const sids = rows.map((r) => String(r.sid));
  // The rooms' locks, as ingest takes them: a batch with a late event of one of these rooms
  // commits before the room goes (and its event goes with it), or waits and starts a new
  // session; it never updates stays whose session is gone.
  yield* lockGroupSids(dialect, sids);
  const list = placeholders(sids.length);
  const events = yield sql(`DELETE FROM group_call_events WHERE sid IN (${list})`, ...sids);
  yield sql(`DELETE FROM group_stays WHERE sid IN (${list})`, ...sids);
  yield sql(`DELETE FROM group_sessions WHERE sid IN (${list})`, ...sids);
  yield sql(`DELETE FROM callback_conflicts WHERE kind = ? AND sid IN (${list})`, GROUP_CONFLICT_KIND, ...sids);
  // The group rollups follow the sessions they are derived from: their slots are rebuilt without them.
  yield* markGroupSlotsStale(rows.map((r) => Number(r.started_at)));
  return { counts: { group_sessions: rows.length, group_call_events: events.changes }, more: rows.length === size };
}

export function* countGroupCalls(beforeSec: number): SqlSteps<Record<string, number>> {
  const sessions = count((yield sql('SELECT COUNT(*) AS n FROM group_sessions WHERE started_at < ?', beforeSec * 1000)).rows);
  const events = count((yield sql(
    'SELECT COUNT(*) AS n FROM group_call_events WHERE sid IN (SELECT sid FROM group_sessions WHERE started_at < ?)', beforeSec * 1000,
  )).rows);
  return { group_sessions: sessions, group_call_events: events };
}

/**
 * Relay outbox rows already settled (delivered, or dead letters) and received before the raw
 * cutoff: they are copies of raw requests. Pending ones stay until they are delivered.
 */
export function* removeRelayOutbox(beforeMs: number, size: number): SqlSteps<BatchOutcome> {
  const { rows } = yield sql("SELECT id FROM relay_outbox WHERE received_at < ? AND state <> 'pending' ORDER BY id LIMIT ?", beforeMs, size);
  if (rows.length > 0) yield sql(`DELETE FROM relay_outbox WHERE id IN (${placeholders(rows.length)})`, ...ids(rows));
  return { counts: { relay_outbox: rows.length }, more: rows.length === size };
}

export function* countRelayOutbox(beforeMs: number): SqlSteps<Record<string, number>> {
  const { rows } = yield sql("SELECT COUNT(*) AS n FROM relay_outbox WHERE received_at < ? AND state <> 'pending'", beforeMs);
  return { relay_outbox: count(rows) };
}
