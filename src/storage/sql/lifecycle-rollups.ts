import { contributionsOf } from '../../domain/stats/lifecycle/lifecycle-contributions.js';
import type { LifecycleFacts } from '../../domain/stats/lifecycle/lifecycle-facts.js';
import { type CallbackRecord, sidOfRecord } from '../port.js';
import { placeholders, type SqlSteps, sql } from './sql-steps.js';

/**
 * The lifecycle rollups (migration 14, docs/statistics.md "Call lifecycle"): counts per
 * quarter-hour UTC slot, per counter and value, kept exact in the transaction of every
 * write that changes a sid's lifecycle facts. Such a write runs between `lifecycleBefore`
 * and `lifecycleAfter`: the slots gain what the sids' contributions became minus what
 * they were (src/domain/stats/lifecycle/lifecycle-contributions.ts).
 */
export const LIFECYCLE_SLOT_SEC = 900;

/** Sids per IN list (well under every database's parameter limit). */
const SIDS_PER_STATEMENT = 500;

/** The quarter-hour slot (Unix seconds) holding a Unix millisecond. */
export function lifecycleSlotOf(ms: number): number {
  return Math.floor(ms / (LIFECYCLE_SLOT_SEC * 1000)) * LIFECYCLE_SLOT_SEC;
}

/** The sids whose lifecycle facts a batch of deliveries may change (every parsed delivery's). */
export function lifecycleSids(records: readonly CallbackRecord[]): string[] {
  return records.flatMap((r) => {
    const sid = r.kind === 'malformed' ? null : sidOfRecord(r);
    return sid === null ? [] : [sid];
  });
}

/** The facts of some sids before a write, to diff against after it. */
export interface LifecycleSnapshot {
  sids: string[];
  facts: Map<string, LifecycleFacts>;
}

/**
 * Takes the sids' lifecycle facts before a write. On PostgreSQL it first locks each sid
 * (an advisory lock until the commit, taken in one order): two receivers writing the
 * Notify and the Call Event of one sid at the same instant would each miss the other's
 * row and count it twice or never.
 */
export function* lifecycleBefore(dialect: 'sqlite' | 'postgres', sids: Iterable<string>): SqlSteps<LifecycleSnapshot> {
  const distinct = [...new Set(sids)].sort();
  if (dialect === 'postgres' && distinct.length > 0) {
    yield sql(`SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext('callevt_lifecycle:' || s) AS k FROM unnest(?::text[]) AS u(s)) AS keys ORDER BY k`, distinct);
  }
  return { sids: distinct, facts: yield* readLifecycleFacts(distinct) };
}

/**
 * After the write: a Call Event clears its Notify's end_missing flag (docs/spec/outcomes.md
 * §3.2), then the slots gain the difference of the sids' contributions.
 */
export function* lifecycleAfter(before: LifecycleSnapshot): SqlSteps<void> {
  if (before.sids.length === 0) return;
  for (const chunk of chunks(before.sids)) {
    yield sql(`UPDATE notifies SET end_missing = 0 WHERE end_missing = 1 AND sid IN (${placeholders(chunk.length)})
      AND EXISTS (SELECT 1 FROM calls WHERE calls.sid = notifies.sid)`, ...chunk);
  }
  const after = yield* readLifecycleFacts(before.sids);
  const deltas = new Map<string, { slot: number; counter: string; value: string; n: number }>();
  const add = (facts: LifecycleFacts | undefined, sign: number) => {
    if (facts === undefined) return;
    for (const c of contributionsOf(facts)) {
      const slot = lifecycleSlotOf(c.at);
      const key = `${c.counter}\u0000${slot}\u0000${c.value}`;
      const d = deltas.get(key);
      if (d === undefined) deltas.set(key, { slot, counter: c.counter, value: c.value, n: sign });
      else d.n += sign;
    }
  };
  for (const sid of before.sids) {
    add(before.facts.get(sid), -1);
    add(after.get(sid), 1);
  }
  yield* addToLifecycleRollups([...deltas.values()]);
}

/** Adds counts to the rollups; a row that falls to 0 goes. */
export function* addToLifecycleRollups(deltas: ReadonlyArray<{ slot: number; counter: string; value: string; n: number }>): SqlSteps<void> {
  for (const d of deltas) {
    if (d.n === 0) continue;
    yield sql(`INSERT INTO lifecycle_rollups (slot, counter, value, n) VALUES (?, ?, ?, ?)
      ON CONFLICT (counter, slot, value) DO UPDATE SET n = lifecycle_rollups.n + excluded.n`, d.slot, d.counter, d.value, d.n);
    if (d.n < 0) yield sql('DELETE FROM lifecycle_rollups WHERE counter = ? AND slot = ? AND value = ? AND n = 0', d.counter, d.slot, d.value);
  }
}

/** The lifecycle facts of these sids as stored now (absent sids have none). */
export function* readLifecycleFacts(sids: readonly string[]): SqlSteps<Map<string, LifecycleFacts>> {
  const facts = new Map<string, LifecycleFacts>();
  const of = (sid: string): LifecycleFacts => {
    let f = facts.get(sid);
    if (f === undefined) facts.set(sid, (f = { sid, notify: null, call: null, relays: [], agentCallStatus: null }));
    return f;
  };
  for (const chunk of chunks(sids)) {
    const list = placeholders(chunk.length);
    for (const r of (yield sql(`SELECT sid, received_at, end_missing FROM notifies WHERE sid IN (${list})`, ...chunk)).rows) {
      of(String(r.sid)).notify = { receivedAt: Number(r.received_at), endMissing: Number(r.end_missing) === 1 };
    }
    for (const r of (yield sql(`SELECT sid, setup_time, disconnect_reason, call_end_reason FROM calls WHERE sid IN (${list})`, ...chunk)).rows) {
      of(String(r.sid)).call = { setupTime: Number(r.setup_time), disconnectReason: nullableNumber(r.disconnect_reason), callEndReason: nullableNumber(r.call_end_reason) };
    }
    const relays = (yield sql(`SELECT sid, attempted_at, outcome, latency_ms FROM notify_relays WHERE sid IN (${list}) ORDER BY sid, attempted_at, id`, ...chunk)).rows;
    for (const r of relays) {
      (of(String(r.sid)).relays as Array<LifecycleFacts['relays'][number]>).push({ attemptedAt: Number(r.attempted_at), outcome: String(r.outcome), latencyMs: Number(r.latency_ms) });
    }
    for (const r of (yield sql(`SELECT sid, received_at, result, fail_reason FROM agent_call_statuses WHERE sid IN (${list})`, ...chunk)).rows) {
      of(String(r.sid)).agentCallStatus = { receivedAt: Number(r.received_at), result: String(r.result), failReason: r.fail_reason === null ? null : String(r.fail_reason) };
    }
  }
  return facts;
}

/** Sids read per round by a rebuild of the lifecycle rollups. */
const REBUILD_SIDS_PER_ROUND = 2_000;

/**
 * Derives the lifecycle rollups again from every stored Notify, call, relay attempt and
 * Agent Call Status (migration 14's data step), in one transaction: sids are read in
 * order a round at a time, their counts summed in memory (one entry per slot, counter and value).
 */
export function* rebuildLifecycleRollups(): SqlSteps<number> {
  yield sql('DELETE FROM lifecycle_rollups');
  const totals = new Map<string, { slot: number; counter: string; value: string; n: number }>();
  let after = '';
  for (;;) {
    const { rows } = yield sql(`SELECT sid FROM (
        SELECT sid FROM notifies WHERE sid > ? UNION SELECT sid FROM calls WHERE sid > ?
        UNION SELECT sid FROM notify_relays WHERE sid > ? UNION SELECT sid FROM agent_call_statuses WHERE sid > ?
      ) AS s ORDER BY sid LIMIT ?`, after, after, after, after, REBUILD_SIDS_PER_ROUND);
    if (rows.length === 0) break;
    const sids = rows.map((r) => String(r.sid));
    const facts = yield* readLifecycleFacts(sids);
    for (const f of facts.values()) {
      for (const c of contributionsOf(f)) {
        const slot = lifecycleSlotOf(c.at);
        const key = `${c.counter}\u0000${slot}\u0000${c.value}`;
        const t = totals.get(key);
        if (t === undefined) totals.set(key, { slot, counter: c.counter, value: c.value, n: 1 });
        else t.n++;
      }
    }
    after = sids.at(-1) as string;
  }
  yield* addToLifecycleRollups([...totals.values()]);
  return totals.size;
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += SIDS_PER_STATEMENT) yield items.slice(i, i + SIDS_PER_STATEMENT);
}

function nullableNumber(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
