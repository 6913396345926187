import { CompiledQuery, type Kysely } from 'kysely';
import { contributionsOf } from '../../domain/stats/lifecycle/lifecycle-contributions.js';
import { addTotal, type LifecycleTotals } from '../../domain/stats/lifecycle/lifecycle-figures.js';
import { PUSH_ERROR_CALL_END_REASON, PUSH_ERROR_DISCONNECT_REASON } from '../../domain/lifecycle/push-diagnosis.js';
import type { CallStore, LifecycleTotalsQuery } from '../port.js';
import { LIFECYCLE_SLOT_SEC, readLifecycleFacts } from './lifecycle-rollups.js';
import type { Database } from './schema-types.js';
import { driveAsync, numberedPlaceholders, type SqlSteps, sql } from './sql-steps.js';

/** The counters a time series point needs (no histograms, no reasons, no ends without Notify). */
const POINT_COUNTERS = ['notifies', 'notifies_with_end', 'end_missing', 'relay', 'push_failure', 'agent_call_status'];

/** The lifecycle statistics of the port, written once for every SQL adapter. */
export function createLifecycleStatsQueries(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Pick<CallStore, 'lifecycleTotals'> {
  return {
    lifecycleTotals: (query) =>
      driveAsync(lifecycleTotals(dialect, query), async ({ sql: text, params }) => {
        const result = await db.executeQuery(CompiledQuery.raw(dialect === 'postgres' ? numberedPlaceholders(text) : text, [...params]));
        return { rows: result.rows as Array<Record<string, unknown>>, changes: 0 };
      }),
  };
}

/** Where each bucket's counts come from: whole quarter-hours from the rollups, the rest from the stored rows. */
export interface LifecyclePlan {
  /** Per bucket, the whole slots [fromSlot, toSlot) inside it (empty when fromSlot >= toSlot). */
  slots: Array<{ fromSlot: number; toSlot: number }>;
  /** Parts of buckets that are not whole slots, merged where they touch (Unix seconds, [from, to)). */
  edges: Array<{ from: number; to: number }>;
}

/** Splits the buckets [b(i), b(i+1)) ∩ [from, to) into whole quarter-hours and edges. */
export function planLifecycleQuery(query: Pick<LifecycleTotalsQuery, 'from' | 'to' | 'boundaries'>): LifecyclePlan {
  const plan: LifecyclePlan = { slots: [], edges: [] };
  const edge = (from: number, to: number) => {
    if (from >= to) return;
    const last = plan.edges.at(-1);
    if (last !== undefined && last.to === from) last.to = to;
    else plan.edges.push({ from, to });
  };
  for (let i = 0; i + 1 < query.boundaries.length; i++) {
    const from = Math.max(query.boundaries[i] as number, query.from);
    const to = Math.min(query.boundaries[i + 1] as number, query.to);
    const fromSlot = Math.ceil(from / LIFECYCLE_SLOT_SEC) * LIFECYCLE_SLOT_SEC;
    const toSlot = Math.floor(to / LIFECYCLE_SLOT_SEC) * LIFECYCLE_SLOT_SEC;
    if (fromSlot >= toSlot) {
      plan.slots.push({ fromSlot, toSlot: fromSlot });
      edge(from, to);
    } else {
      plan.slots.push({ fromSlot, toSlot });
      edge(from, fromSlot);
      edge(toSlot, to);
    }
  }
  return plan;
}

/**
 * The totals of each bucket: the rollup rows of its whole quarter-hours, plus the
 * contributions of the sids with an instant in its edges, read from the stored rows
 * (docs/statistics.md, "Call lifecycle").
 */
export function* lifecycleTotals(dialect: 'sqlite' | 'postgres', query: LifecycleTotalsQuery): SqlSteps<LifecycleTotals[]> {
  const plan = planLifecycleQuery(query);
  const totals: LifecycleTotals[] = plan.slots.map(() => new Map());
  const counters = query.pointsOnly === true ? POINT_COUNTERS : null;
  const counterFilter = counters === null ? '' : ` AND counter IN (${counters.map(() => '?').join(', ')})`;
  const whole = plan.slots.filter((s) => s.fromSlot < s.toSlot);
  if (whole.length === 1 && totals.length === 1) {
    const [s] = whole as [{ fromSlot: number; toSlot: number }];
    const { rows } = yield sql(`SELECT counter, value, SUM(n) AS n FROM lifecycle_rollups WHERE slot >= ? AND slot < ?${counterFilter}
      GROUP BY counter, value`, s.fromSlot, s.toSlot, ...(counters ?? []));
    for (const r of rows) addTotal(totals[0] as LifecycleTotals, String(r.counter), String(r.value), Number(r.n));
  } else if (whole.length > 0) {
    const first = (whole[0] as { fromSlot: number }).fromSlot;
    const last = (whole.at(-1) as { toSlot: number }).toSlot;
    const { rows } = yield sql(`SELECT slot, counter, value, n FROM lifecycle_rollups WHERE slot >= ? AND slot < ?${counterFilter}`,
      first, last, ...(counters ?? []));
    for (const r of rows) {
      const i = bucketOf(plan.slots, Number(r.slot));
      if (i !== null) addTotal(totals[i] as LifecycleTotals, String(r.counter), String(r.value), Number(r.n));
    }
  }
  for (const edge of plan.edges) {
    const sids = yield* sidsWithInstantIn(edge.from, edge.to, query.pointsOnly === true);
    const facts = yield* readLifecycleFacts(dialect, sids);
    for (const f of facts.values()) {
      for (const c of contributionsOf(f)) {
        if (c.at < edge.from * 1000 || c.at >= edge.to * 1000) continue;
        if (counters !== null && !counters.includes(c.counter)) continue;
        const i = bucketOfInstant(query, c.at);
        if (i !== null) addTotal(totals[i] as LifecycleTotals, c.counter, c.value, 1);
      }
    }
  }
  return totals;
}

/** The bucket whose whole slots hold a slot (binary search: buckets are in order). */
function bucketOf(slots: LifecyclePlan['slots'], slot: number): number | null {
  let lo = 0;
  let hi = slots.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = slots[mid] as { fromSlot: number; toSlot: number };
    if (slot < s.fromSlot) hi = mid - 1;
    else if (slot >= s.toSlot) lo = mid + 1;
    else return mid;
  }
  return null;
}

/** The bucket holding an instant in ms, within [from, to). */
function bucketOfInstant(query: Pick<LifecycleTotalsQuery, 'from' | 'to' | 'boundaries'>, ms: number): number | null {
  if (ms < query.from * 1000 || ms >= query.to * 1000) return null;
  let lo = 0;
  let hi = query.boundaries.length - 2;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ms < (query.boundaries[mid] as number) * 1000) hi = mid - 1;
    else if (ms >= (query.boundaries[mid + 1] as number) * 1000) lo = mid + 1;
    else return mid;
  }
  return null;
}

/**
 * The sids with a Notify, call, relay attempt or Agent Call Status placed in [from, to)
 * (Unix seconds). For time series points only calls that ended with PUSH_ERROR matter.
 */
function* sidsWithInstantIn(from: number, to: number, pointsOnly: boolean): SqlSteps<string[]> {
  const fromMs = from * 1000;
  const toMs = to * 1000;
  const calls = pointsOnly
    ? 'SELECT sid FROM calls WHERE setup_time >= ? AND setup_time < ? AND (disconnect_reason = ? OR call_end_reason = ?)'
    : 'SELECT sid FROM calls WHERE setup_time >= ? AND setup_time < ?';
  const callParams = pointsOnly ? [from, to, PUSH_ERROR_DISCONNECT_REASON, PUSH_ERROR_CALL_END_REASON] : [from, to];
  const { rows } = yield sql(`SELECT sid FROM notifies WHERE received_at >= ? AND received_at < ?
    UNION ${calls}
    UNION SELECT sid FROM notify_relays WHERE attempted_at >= ? AND attempted_at < ?
    UNION SELECT sid FROM agent_call_statuses WHERE received_at >= ? AND received_at < ?`,
  fromMs, toMs, ...callParams, fromMs, toMs, fromMs, toMs);
  return rows.map((r) => String(r.sid));
}
