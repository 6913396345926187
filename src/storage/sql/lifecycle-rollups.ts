import { contributionsOf } from '../../domain/stats/lifecycle/lifecycle-contributions.js';
import type { LifecycleFacts } from '../../domain/stats/lifecycle/lifecycle-facts.js';
import { type CallbackRecord, sidOfRecord } from '../port.js';
import { placeholders, type SqlSteps, sql, type SqlDialectName } from './sql-steps.js';
import { nullableNumber } from './column-values.js';


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

/**
 * The sids whose lifecycle facts a batch of deliveries may change: every parsed 1-to-1
 * delivery's (Call Event, Notify, Agent Call Status). A Group Call Event writes none of the
 * tables the lifecycle reads: its room's sid is left out, which spares a group batch the
 * reads (and on PostgreSQL the locks) of every sid it holds.
 */
export function lifecycleSids(records: readonly CallbackRecord[]): string[] {
  return records.flatMap((r) => {
    const sid = r.kind === 'malformed' || r.kind === 'group-call-event' ? null : sidOfRecord(r);
    return sid === null ? [] : [sid];
  });
}

/** The facts of some sids before a write, to diff against after it. */
export interface LifecycleSnapshot {
  dialect: SqlDialectName;
  sids: string[];
  facts: Map<string, LifecycleFacts>;
}

/**
 * Takes the sids' lifecycle facts before a write. On PostgreSQL it first locks each sid
 * (an advisory lock until the commit, taken in one order): two receivers writing the
 * Notify and the Call Event of one sid at the same instant would each miss the other's
 * row and count it twice or never.
 */
export function* lifecycleBefore(dialect: SqlDialectName, sids: Iterable<string>): SqlSteps<LifecycleSnapshot> {
  const distinct = [...new Set(sids)].sort();
  if (dialect === 'postgres' && distinct.length > 0) {
    yield sql(`SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtext('callevt_lifecycle:' || s) AS k FROM unnest(?::text[]) AS u(s)) AS keys ORDER BY k`, distinct);
  }
  return { dialect, sids: distinct, facts: yield* readLifecycleFacts(dialect, distinct) };
}

/**
 * After the write: a Call Event clears its Notify's end_missing flag (docs/spec/outcomes.md
 * §3.2), then the slots gain the difference of the sids' contributions.
 */
export function* lifecycleAfter(before: LifecycleSnapshot): SqlSteps<void> {
  if (before.sids.length === 0) return;
  // Only a notify flagged before the write can need clearing (the sids are locked meanwhile).
  const flagged = before.sids.filter((sid) => before.facts.get(sid)?.notify?.endMissing === true);
  for (const chunk of chunks(flagged)) {
    yield sql(`UPDATE notifies SET end_missing = 0 WHERE end_missing = 1 AND sid IN (${placeholders(chunk.length)})
      AND EXISTS (SELECT 1 FROM calls WHERE calls.sid = notifies.sid)`, ...chunk);
  }
  const after = yield* readLifecycleFacts(before.dialect, before.sids);
  const deltas = new Map<string, LifecycleDelta>();
  for (const sid of before.sids) {
    addContributions(deltas, before.facts.get(sid), -1);
    addContributions(deltas, after.get(sid), 1);
  }
  yield* addToLifecycleRollups([...deltas.values()]);
}

/** A change of one rollup row's count. */
export interface LifecycleDelta {
  slot: number;
  counter: string;
  value: string;
  n: number;
}

function addContributions(deltas: Map<string, LifecycleDelta>, facts: LifecycleFacts | undefined, sign: number): void {
  if (facts === undefined) return;
  for (const c of contributionsOf(facts)) {
    const slot = lifecycleSlotOf(c.at);
    const key = `${c.counter}\u0000${slot}\u0000${c.value}`;
    const d = deltas.get(key);
    if (d === undefined) deltas.set(key, { slot, counter: c.counter, value: c.value, n: sign });
    else d.n += sign;
  }
}

/** Rollup rows written per statement. */
const ROWS_PER_STATEMENT = 200;

/** Adds counts to the rollups, a few hundred rows per statement; a row that falls to 0 goes. */
export function* addToLifecycleRollups(deltas: readonly LifecycleDelta[]): SqlSteps<void> {
  // In one order everywhere: two PostgreSQL transactions updating the same rows never wait on each other in a cycle.
  const changed = deltas.filter((d) => d.n !== 0).sort((a, b) =>
    (a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : a.slot - b.slot || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)));
  for (let i = 0; i < changed.length; i += ROWS_PER_STATEMENT) {
    const rows = changed.slice(i, i + ROWS_PER_STATEMENT);
    yield sql(`INSERT INTO lifecycle_rollups (slot, counter, value, n) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}
      ON CONFLICT (counter, slot, value) DO UPDATE SET n = lifecycle_rollups.n + excluded.n`, ...rows.flatMap((d) => [d.slot, d.counter, d.value, d.n]));
    const fallen = rows.filter((d) => d.n < 0);
    if (fallen.length > 0) {
      yield sql(`DELETE FROM lifecycle_rollups WHERE n = 0 AND (${fallen.map(() => '(counter = ? AND slot = ? AND value = ?)').join(' OR ')})`,
        ...fallen.flatMap((d) => [d.counter, d.slot, d.value]));
    }
  }
}

/**
 * The lifecycle facts of these sids as stored now (absent sids have none): one statement
 * per 500 sids, the four tables' rows in one result (kind n, c, r, s), relay attempts in order.
 */
export function* readLifecycleFacts(dialect: SqlDialectName, sids: readonly string[]): SqlSteps<Map<string, LifecycleFacts>> {
  const facts = new Map<string, LifecycleFacts>();
  const of = (sid: string): LifecycleFacts => {
    let f = facts.get(sid);
    if (f === undefined) facts.set(sid, (f = { sid, notify: null, call: null, relays: [], agentCallStatus: null }));
    return f;
  };
  for (const chunk of chunks(sids)) {
    // PostgreSQL plans one array parameter in a fraction of the time of four IN lists.
    const match = dialect === 'postgres' ? 'sid = ANY(?::text[])' : `sid IN (${placeholders(chunk.length)})`;
    const params = dialect === 'postgres' ? [chunk] : chunk;
    const { rows } = yield sql(`
      SELECT 'n' AS kind, sid, received_at AS t, end_missing AS a, NULL AS b, NULL AS c, NULL AS d, 0 AS id FROM notifies WHERE ${match}
      UNION ALL SELECT 'c', sid, setup_time, disconnect_reason, call_end_reason, NULL, NULL, 0 FROM calls WHERE ${match}
      UNION ALL SELECT 'r', sid, attempted_at, latency_ms, NULL, outcome, NULL, id FROM notify_relays WHERE ${match}
      UNION ALL SELECT 's', sid, received_at, NULL, NULL, result, fail_reason, 0 FROM agent_call_statuses WHERE ${match}
      ORDER BY 2, 1, 3, 8`, ...params, ...params, ...params, ...params);
    for (const r of rows) {
      const f = of(String(r.sid));
      if (r.kind === 'n') f.notify = { receivedAt: Number(r.t), endMissing: Number(r.a) === 1 };
      else if (r.kind === 'c') f.call = { setupTime: Number(r.t), disconnectReason: nullableNumber(r.a), callEndReason: nullableNumber(r.b) };
      else if (r.kind === 'r') (f.relays as Array<LifecycleFacts['relays'][number]>).push({ attemptedAt: Number(r.t), outcome: String(r.c), latencyMs: Number(r.a) });
      else f.agentCallStatus = { receivedAt: Number(r.t), result: String(r.c), failReason: r.d === null ? null : String(r.d) };
    }
  }
  return facts;
}

/** Sids read per round by a rebuild of the lifecycle rollups. */
const REBUILD_SIDS_PER_ROUND = 2_000;

/**
 * Each sid once, from the first table that holds it: calls, then notifies, then Agent Call
 * Statuses, then relay attempts (whose Notify is gone), each walked by id.
 */
const REBUILD_SOURCES: ReadonlyArray<{ table: string; without: readonly string[] }> = [
  { table: 'calls', without: [] },
  { table: 'notifies', without: ['calls'] },
  { table: 'agent_call_statuses', without: ['calls', 'notifies'] },
  { table: 'notify_relays', without: ['calls', 'notifies', 'agent_call_statuses'] },
];

/**
 * Derives the lifecycle rollups again from every stored Notify, call, relay attempt and
 * Agent Call Status (migration 14's data step, and after a bulk load), in the caller's
 * transaction: a round of sids at a time by id (never a sort of every sid), their counts
 * summed in memory (one entry per slot, counter and value). Returns the rows written.
 */
export function* rebuildLifecycleRollups(dialect: SqlDialectName): SqlSteps<number> {
  yield sql('DELETE FROM lifecycle_rollups');
  const totals = new Map<string, LifecycleDelta>();
  const done = new Set<string>(); // relay attempts: several rows per sid
  for (const source of REBUILD_SOURCES) {
    const elsewhere = source.without.map((t) => ` AND NOT EXISTS (SELECT 1 FROM ${t} WHERE ${t}.sid = s.sid)`).join('');
    for (let after = 0; ;) {
      const { rows } = yield sql(`SELECT s.id, s.sid FROM ${source.table} s WHERE s.id > ?${elsewhere} ORDER BY s.id LIMIT ?`, after, REBUILD_SIDS_PER_ROUND);
      if (rows.length === 0) break;
      after = Number(rows.at(-1)?.id);
      const sids = [...new Set(rows.map((r) => String(r.sid)))].filter((sid) => source.table !== 'notify_relays' || !done.has(sid));
      if (source.table === 'notify_relays') for (const sid of sids) done.add(sid);
      const facts = yield* readLifecycleFacts(dialect, sids);
      for (const f of facts.values()) addContributions(totals, f, 1);
    }
  }
  yield* addToLifecycleRollups([...totals.values()]);
  return totals.size;
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += SIDS_PER_STATEMENT) yield items.slice(i, i + SIDS_PER_STATEMENT);
}
