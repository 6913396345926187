import { eraseTargetFromCanonicalEvent, eraseTargetFromGroupCanonicalEvent } from '../../domain/privacy/scrub-canonical-event.js';
import { GROUP_PARTICIPANT_DATA_KEYS } from '../../domain/privacy/erasure-target.js';
import { GROUP_CONFLICT_KIND, lockGroupSids, rebuildGroupSessions } from './record-group-events.js';
import { eraseTargetFromForm } from '../../domain/privacy/scrub-form.js';
import type { ErasureTarget } from '../../domain/privacy/erasure-target.js';
import { placeholders, type SqlDialectName, type SqlSteps, sql } from './sql-steps.js';

/** Rows read or written per statement, under both databases' parameter limits. */
const CHUNK = 500;
/** What the steps of one erasure share: earlier steps find raw requests the last one rewrites. */
export interface ErasureContext {
  /** The database the steps run on (PostgreSQL takes the group rooms' locks). */
  dialect: SqlDialectName;
  target: ErasureTarget;
  /** The random replacement of the user id in this erasure (the same in every row). */
  pseudonym: string;
  /** Sids of the target's calls. */
  sids: Set<string>;
  /** Raw requests that may name the target. */
  rawRequestIds: Set<number>;
}

/**
 * The target's calls: on each side that is theirs, the user id becomes the pseudonym and
 * the IP is emptied; the app's data and unknown keys go. Found through calls_from_user
 * and calls_to_user. The other side is left as it was.
 */
export function* eraseFromCalls(ctx: ErasureContext): SqlSteps<number> {
  const { serviceId: s, userId: u } = ctx.target;
  const { rows } = yield sql(
    'SELECT sid, raw_request_id FROM calls WHERE (from_user_id = ? AND from_service_id = ?) OR (to_user_id = ? AND to_service_id = ?)',
    u, s, u, s,
  );
  for (const row of rows) {
    ctx.sids.add(String(row.sid));
    ctx.rawRequestIds.add(Number(row.raw_request_id));
  }
  yield sql(`UPDATE calls SET from_user_id = ?, srcip = '', app_svr_data = NULL, extra = '{}' WHERE from_user_id = ? AND from_service_id = ?`, ctx.pseudonym, u, s);
  yield sql(`UPDATE calls SET to_user_id = ?, dstip = '', app_svr_data = NULL, extra = '{}' WHERE to_user_id = ? AND to_service_id = ?`, ctx.pseudonym, u, s);
  return rows.length;
}

/**
 * Conflicting versions naming the target (on any call: a version may name them when the
 * stored call does not), found by the user id in their JSON, then checked exactly.
 */
export function* eraseFromConflicts(ctx: ErasureContext): SqlSteps<number> {
  const needle = `%${JSON.stringify(ctx.target.userId).slice(1, -1).replace(/[!%_]/g, (c) => `!${c}`)}%`;
  const { rows } = yield sql("SELECT id, event, raw_request_id FROM call_conflicts WHERE event LIKE ? ESCAPE '!'", needle);
  let touched = 0;
  for (const row of rows) {
    const erased = eraseTargetFromCanonicalEvent(String(row.event), ctx.target, ctx.pseudonym);
    if (!erased.namesTarget) continue;
    yield sql('UPDATE call_conflicts SET event = ? WHERE id = ?', erased.text, row.id);
    ctx.rawRequestIds.add(Number(row.raw_request_id));
    touched++;
  }
  return touched;
}

/** Quarantined requests naming the target: every entry's raw request is read (quarantine is small). */
export function* eraseFromQuarantine(ctx: ErasureContext): SqlSteps<number> {
  let touched = 0;
  let afterId = 0;
  for (;;) {
    const { rows } = yield sql(
      'SELECT q.id AS id, q.raw_request_id AS raw_request_id, r.query AS query, r.body AS body FROM quarantine q JOIN raw_requests r ON r.id = q.raw_request_id WHERE q.id > ? ORDER BY q.id LIMIT ?',
      afterId, CHUNK,
    );
    for (const row of rows) {
      if (namesTarget(ctx, row)) {
        ctx.rawRequestIds.add(Number(row.raw_request_id));
        touched++;
      }
    }
    if (rows.length < CHUNK) return touched;
    afterId = Number(rows.at(-1)?.id);
  }
}

/**
 * Raw requests: those found by the steps before, and every later delivery of the target's
 * calls (by sid, through raw_requests_sid_repeat). Query and body are rewritten
 * (scrub-form.ts) and the source address emptied on each that names the target.
 */
/**
 * Relay outbox rows (CALL_EVENT_RELAY_URL) of the target's calls: each holds a copy of its
 * raw request, rewritten the same way. Rows of other sids never name the target's calls.
 */
export function* eraseFromRelayOutbox(ctx: ErasureContext): SqlSteps<number> {
  const sids = [...ctx.sids];
  let touched = 0;
  for (let i = 0; i < sids.length; i += CHUNK) {
    const chunk = sids.slice(i, i + CHUNK);
    const { rows } = yield sql(`SELECT id, query, body FROM relay_outbox WHERE sid IN (${placeholders(chunk.length)})`, ...chunk);
    for (const row of rows) {
      const query = eraseTargetFromForm(String(row.query), ctx.target, ctx.pseudonym);
      const body = row.body === null ? null : eraseTargetFromForm(String(row.body), ctx.target, ctx.pseudonym);
      if (!query.namesTarget && body?.namesTarget !== true) continue;
      yield sql("UPDATE relay_outbox SET query = ?, body = ?, source_ip = '' WHERE id = ?", query.text, body === null ? null : body.text, row.id);
      touched++;
    }
  }
  return touched;
}

export function* eraseFromRawRequests(ctx: ErasureContext): SqlSteps<number> {
  const sids = [...ctx.sids];
  for (let i = 0; i < sids.length; i += CHUNK) {
    const chunk = sids.slice(i, i + CHUNK);
    const { rows } = yield sql(`SELECT id FROM raw_requests WHERE sid IN (${placeholders(chunk.length)}) AND result <> 'accepted'`, ...chunk);
    for (const row of rows) ctx.rawRequestIds.add(Number(row.id));
  }
  const ids = [...ctx.rawRequestIds];
  let touched = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const { rows } = yield sql(`SELECT id, query, body FROM raw_requests WHERE id IN (${placeholders(chunk.length)})`, ...chunk);
    for (const row of rows) {
      const query = eraseTargetFromForm(String(row.query), ctx.target, ctx.pseudonym);
      const body = row.body === null ? null : eraseTargetFromForm(String(row.body), ctx.target, ctx.pseudonym);
      if (!query.namesTarget && body?.namesTarget !== true) continue;
      yield sql("UPDATE raw_requests SET query = ?, body = ?, source_ip = '' WHERE id = ?", query.text, body === null ? null : body.text, row.id);
      touched++;
    }
  }
  return touched;
}

function namesTarget(ctx: ErasureContext, row: Record<string, unknown>): boolean {
  if (eraseTargetFromForm(String(row.query), ctx.target, ctx.pseudonym).namesTarget) return true;
  return row.body !== null && eraseTargetFromForm(String(row.body), ctx.target, ctx.pseudonym).namesTarget;
}

/**
 * The target's Notifies: on each side that is theirs the user id becomes the pseudonym;
 * the app's data (`app_svr_data`, the push payload `param`) and unknown keys go. A Notify
 * carries no IP of the user (its raw request's source is LINE Planet's server).
 */
export function* eraseFromNotifies(ctx: ErasureContext): SqlSteps<number> {
  const { serviceId: s, userId: u } = ctx.target;
  const { rows } = yield sql(
    'SELECT sid, raw_request_id FROM notifies WHERE (from_user_id = ? AND from_service_id = ?) OR (to_user_id = ? AND to_service_id = ?)',
    u, s, u, s,
  );
  for (const row of rows) ctx.rawRequestIds.add(Number(row.raw_request_id));
  yield sql(`UPDATE notifies SET from_user_id = ?, app_svr_data = NULL, param = '', extra = '{}' WHERE from_user_id = ? AND from_service_id = ?`, ctx.pseudonym, u, s);
  yield sql(`UPDATE notifies SET to_user_id = ?, app_svr_data = NULL, param = '', extra = '{}' WHERE to_user_id = ? AND to_service_id = ?`, ctx.pseudonym, u, s);
  return rows.length;
}

/** Conflicting versions of Notifies naming the target, found and rewritten like call_conflicts. */
export function* eraseFromCallbackConflicts(ctx: ErasureContext): SqlSteps<number> {
  const needle = `%${JSON.stringify(ctx.target.userId).slice(1, -1).replace(/[!%_]/g, (c) => `!${c}`)}%`;
  const { rows } = yield sql("SELECT id, content, raw_request_id FROM callback_conflicts WHERE content LIKE ? ESCAPE '!'", needle);
  let touched = 0;
  for (const row of rows) {
    const erased = eraseTargetFromCanonicalEvent(String(row.content), ctx.target, ctx.pseudonym);
    if (!erased.namesTarget) continue;
    yield sql('UPDATE callback_conflicts SET content = ? WHERE id = ?', erased.text, row.id);
    ctx.rawRequestIds.add(Number(row.raw_request_id));
    touched++;
  }
  return touched;
}

/**
 * The target's group events (docs/spec/callbacks.md §2): as participant, the user id
 * becomes the pseudonym and the name, the app's data and unknown keys go; as host, the id
 * alone. Their conflicting versions are rewritten the same way, their rooms' sessions and
 * stays rebuilt from the rewritten events, and every raw request of those rooms that is not
 * an event's own is left for the raw_requests step to judge (it rewrites only those naming the target).
 */
export function* eraseFromGroupCallEvents(ctx: ErasureContext): SqlSteps<number> {
  const { serviceId: s, userId: u } = ctx.target;
  const { rows } = yield sql(
    'SELECT sid, raw_request_id FROM group_call_events WHERE (user_id = ? AND user_svc_id = ?) OR (host_id = ? AND host_svc_id = ?)',
    u, s, u, s,
  );
  const found = [...new Set(rows.map((r) => String(r.sid)))].sort();
  for (const row of rows) ctx.rawRequestIds.add(Number(row.raw_request_id));
  // The rooms' locks first, as ingest takes them (lockGroupSids): a batch of one of these
  // rooms that read the events before the rewrite commits first, and the rebuild below
  // then reads its events too; no batch reads them again before this erasure commits.
  yield* lockGroupSids(ctx.dialect, found);
  const cleared = GROUP_PARTICIPANT_DATA_KEYS.map((key) => `${key} = NULL`).join(', ');
  const asParticipant = yield sql(`UPDATE group_call_events SET user_id = ?, ${cleared}, extra = '{}' WHERE user_id = ? AND user_svc_id = ? RETURNING sid, raw_request_id`, ctx.pseudonym, u, s);
  const asHost = yield sql('UPDATE group_call_events SET host_id = ? WHERE host_id = ? AND host_svc_id = ? RETURNING sid, raw_request_id', ctx.pseudonym, u, s);
  // A room the target joined between the read and the locks is rewritten too, and rebuilt
  // (its lock taken after the others: should a batch hold it and wait for one of those,
  // PostgreSQL ends one of the two as a deadlock, and the erasure can be asked again).
  const rewritten = [...asParticipant.rows, ...asHost.rows];
  for (const row of rewritten) ctx.rawRequestIds.add(Number(row.raw_request_id));
  const late = [...new Set(rewritten.map((r) => String(r.sid)))].filter((sid) => !found.includes(sid)).sort();
  yield* lockGroupSids(ctx.dialect, late);
  const sids = [...found, ...late].sort();
  for (let i = 0; i < sids.length; i += CHUNK) {
    const chunk = sids.slice(i, i + CHUNK);
    const others = yield sql(`SELECT id FROM raw_requests WHERE sid IN (${placeholders(chunk.length)}) AND result <> 'accepted'`, ...chunk);
    for (const row of others.rows) ctx.rawRequestIds.add(Number(row.id));
    const conflicts = yield sql(`SELECT id, content, raw_request_id FROM callback_conflicts WHERE kind = ? AND sid IN (${placeholders(chunk.length)})`, GROUP_CONFLICT_KIND, ...chunk);
    for (const row of conflicts.rows) {
      const erased = eraseTargetFromGroupCanonicalEvent(String(row.content), ctx.target, ctx.pseudonym);
      if (!erased.namesTarget) continue;
      yield sql('UPDATE callback_conflicts SET content = ? WHERE id = ?', erased.text, row.id);
      ctx.rawRequestIds.add(Number(row.raw_request_id));
    }
  }
  yield* rebuildGroupSessions(ctx.dialect, sids);
  return rows.length;
}
