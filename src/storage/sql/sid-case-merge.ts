import { canonicalizeEvent } from '../../domain/canonical-event.js';
import type { CallEvent } from '../../domain/call-event.js';
import { canonicalSid } from '../../domain/canonical-sid.js';
import { decodeCanonicalEvent } from '../../domain/deliveries/decode-canonical-event.js';
import { type CallRow, callRowToCall } from './call-row.js';
import { contentHashOf } from '../../domain/content-hash.js';

/**
 * Migration 7's data step (docs/call-deliveries.md, "Sids and case"): rows stored before
 * sids were kept in lower case. Their content hashes covered the sid as sent, so they are
 * recomputed too. Portable SQL, `?` placeholders.
 */
export const SID_CASE_SQL = {
  /** Calls whose sid has an upper-case letter (a scan, once). */
  selectCalls: 'SELECT * FROM calls WHERE sid <> lower(sid)',
  selectConflicts: 'SELECT id, sid, content_hash, event, raw_request_id FROM call_conflicts WHERE sid <> lower(sid)',
  selectCallBySid: 'SELECT * FROM calls WHERE sid = ?',
  selectConflictHashes: 'SELECT content_hash FROM call_conflicts WHERE sid = ?',
  updateCall: 'UPDATE calls SET sid = ?, content_hash = ? WHERE id = ?',
  deleteCall: 'DELETE FROM calls WHERE id = ?',
  insertConflict: 'INSERT INTO call_conflicts (sid, content_hash, event, received_at, raw_request_id) VALUES (?, ?, ?, ?, ?)',
  updateConflict: 'UPDATE call_conflicts SET sid = ?, content_hash = ?, event = ? WHERE id = ?',
  deleteConflict: 'DELETE FROM call_conflicts WHERE id = ?',
  markRaw: 'UPDATE raw_requests SET result = ? WHERE id = ?',
  countConflicts: 'UPDATE calls SET conflicts = (SELECT count(*) FROM call_conflicts WHERE call_conflicts.sid = calls.sid) WHERE sid = ?',
} as const;

/** A call_conflicts row as the data step reads it. */
export interface ConflictRow {
  id: number | string;
  sid: string;
  content_hash: string;
  event: string;
  raw_request_id: number | string;
}

/** What the data step reads for one lower-case sid. */
export interface SidGroup {
  /** Every calls row of the sid in any case (the upper-case ones and the lower-case one, if any). */
  calls: CallRow[];
  /** The sid's call_conflicts rows already in lower case (their hashes). */
  lowerConflictHashes: string[];
  /** Its call_conflicts rows with an upper-case sid. */
  upperConflicts: ConflictRow[];
}

/** The writes of the data step, in order, and the setup times whose rollup hours lost a call. */
export interface SidCasePlan {
  statements: Array<[string, unknown[]]>;
  removedSetupTimes: number[];
}

/**
 * Merges the rows of one sid written in several cases. The call received first (then the
 * lowest id) stays the call, under the lower-case sid and a recomputed hash; each other
 * calls row is removed and its delivery becomes what it would have been had it arrived
 * after the fix: a duplicate when its facts equal the call's or a version already kept,
 * otherwise a conflicting version. Upper-case conflicting versions are moved to the
 * lower-case sid the same way. The call's conflict count is recounted.
 */
export function planSidGroup(sid: string, group: SidGroup): SidCasePlan {
  const statements: Array<[string, unknown[]]> = [];
  const removedSetupTimes: number[] = [];
  const calls = [...group.calls].sort((a, b) => Number(a.received_at) - Number(b.received_at) || Number(a.id) - Number(b.id));
  const known = new Set(group.lowerConflictHashes);
  const keeper = calls[0];
  if (keeper !== undefined) {
    const keeperHash = contentHashOf({ ...callRowToCall(keeper), sid });
    known.add(keeperHash);
    for (const loser of calls.slice(1)) {
      const event: CallEvent = { ...callRowToCall(loser), sid };
      const hash = contentHashOf(event);
      if (known.has(hash)) {
        statements.push([SID_CASE_SQL.markRaw, ['duplicate', loser.raw_request_id]]);
      } else {
        known.add(hash);
        statements.push([SID_CASE_SQL.insertConflict, [sid, hash, canonicalizeEvent(event), loser.received_at, loser.raw_request_id]]);
        statements.push([SID_CASE_SQL.markRaw, ['conflict', loser.raw_request_id]]);
      }
      statements.push([SID_CASE_SQL.deleteCall, [loser.id]]);
      removedSetupTimes.push(Number(loser.setup_time));
    }
    // After the deletes: the lower-case sid is free (unique) unless the keeper already holds it.
    statements.push([SID_CASE_SQL.updateCall, [sid, keeperHash, keeper.id]]);
  }
  for (const conflict of group.upperConflicts) {
    const event: CallEvent = { ...decodeCanonicalEvent(conflict.event), sid };
    const hash = contentHashOf(event);
    if (known.has(hash)) {
      statements.push([SID_CASE_SQL.deleteConflict, [conflict.id]]);
      statements.push([SID_CASE_SQL.markRaw, ['duplicate', conflict.raw_request_id]]);
    } else {
      known.add(hash);
      statements.push([SID_CASE_SQL.updateConflict, [sid, hash, canonicalizeEvent(event), conflict.id]]);
    }
  }
  statements.push([SID_CASE_SQL.countConflicts, [sid]]);
  return { statements, removedSetupTimes };
}

/** The lower-case sids of the rows the data step reads, each once. */
export function sidsToMerge(calls: readonly CallRow[], conflicts: readonly ConflictRow[]): string[] {
  return [...new Set([...calls.map((c) => canonicalSid(c.sid)), ...conflicts.map((c) => canonicalSid(c.sid))])];
}

/** Reads one sid's rows for planSidGroup, given the upper-case rows already read. */
export function sidGroupOf(
  sid: string,
  upper: { calls: readonly CallRow[]; conflicts: readonly ConflictRow[] },
  lower: { call: CallRow | undefined; conflictHashes: string[] },
): SidGroup {
  const mine = <T extends { sid: string }>(rows: readonly T[]) => rows.filter((r) => canonicalSid(r.sid) === sid);
  return {
    calls: [...mine(upper.calls), ...(lower.call === undefined ? [] : [lower.call])],
    lowerConflictHashes: lower.conflictHashes,
    upperConflicts: mine(upper.conflicts),
  };
}
