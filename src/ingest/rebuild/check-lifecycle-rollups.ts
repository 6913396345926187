import type { CallStore, LifecycleRollupRow } from '../../storage/port.js';
import type { ExplainedSlots } from './check-calls.js';
import type { Findings } from './check-findings.js';

/** Rows read per round trip and side. */
const CHECK_CHUNK_ROWS = 2_000;
const QUARTER_HOUR_SEC = 900;
const HOUR_SEC = 3_600;

/**
 * The call lifecycle counters a rebuild can derive: those of Notify, Call Event and Agent
 * Call Status alone. Relay attempts and end_missing flags are not raw requests, so
 * `relay`, `relay_latency` and `end_missing` are not compared, and push failures only as
 * a total per slot (their verdict may depend on relay attempts).
 */
const COMPARED = ['notifies', 'notifies_with_end', 'setup_to_notify', 'ends_without_notify', 'agent_call_status', 'fail_reason', 'push_failure'] as const;

/**
 * Compares the call lifecycle rollups of both sides, counter by counter, a chunk of slots at
 * a time. Slots of hours holding a call that cannot be rebuilt, or older than the first raw
 * request kept (retention), are not checkable.
 */
export async function checkLifecycleRollups(live: CallStore, rebuilt: CallStore, explained: ExplainedSlots, findings: Findings): Promise<void> {
  const firstRaw = (await live.derivedRows().rawRequestsAfter(0, 1))[0]?.receivedAt ?? Number.POSITIVE_INFINITY;
  const checkable = (slot: number) => !explained.uncheckableSlots.has(Math.floor(slot / HOUR_SEC) * HOUR_SEC) && slot * 1000 >= firstRaw - QUARTER_HOUR_SEC * 1000;
  for (const counter of COMPARED) {
    for (let after = Number.MIN_SAFE_INTEGER; ;) {
      const ours = await live.derivedRows().lifecycleRollupsAfter(counter, after, CHECK_CHUNK_ROWS);
      const theirs = await rebuilt.derivedRows().lifecycleRollupsAfter(counter, after, CHECK_CHUNK_ROWS);
      if (ours.length === 0 && theirs.length === 0) break;
      // Up to the last slot read whole on both sides (a full chunk may end inside a slot).
      const full = [ours, theirs].filter((rows) => rows.length === CHECK_CHUNK_ROWS).map((rows) => (rows.at(-1) as LifecycleRollupRow).slot);
      const lastRead = Math.max(ours.at(-1)?.slot ?? after, theirs.at(-1)?.slot ?? after);
      let upTo = full.length > 0 ? Math.min(...full) - QUARTER_HOUR_SEC : lastRead;
      if (upTo <= after) upTo = Math.min(...full);
      const a = counts(await live.derivedRows().lifecycleRollupsInSlots(counter, after, upTo), counter);
      const b = counts(await rebuilt.derivedRows().lifecycleRollupsInSlots(counter, after, upTo), counter);
      for (const key of new Set([...a.keys(), ...b.keys()])) {
        findings.report.compared.rollupRows++;
        const liveN = a.get(key) ?? 0;
        const rebuiltN = b.get(key) ?? 0;
        if (liveN === rebuiltN) continue;
        const [slotText, value] = key.split('\u0000') as [string, string];
        const slot = Number(slotText);
        const finding = { key: `lifecycle ${new Date(slot * 1000).toISOString()} ${counter}${value === '' ? '' : `=${value}`}`, detail: `n: live ${liveN}, rebuilt ${rebuiltN}` };
        findings.add(checkable(slot) ? { kind: 'rollup', ...finding } : { kind: 'not_checkable', ...finding, detail: `${finding.detail} (its raw requests were pruned)` });
      }
      after = upTo;
    }
  }
}

/** Counts per slot and value; push failures per slot whatever their verdict. */
function counts(rows: readonly LifecycleRollupRow[], counter: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.slot}\u0000${counter === 'push_failure' ? '' : r.value}`;
    out.set(key, (out.get(key) ?? 0) + r.n);
  }
  return out;
}
