import { ROLLUP_SLOT_SEC, slotOf } from '../../domain/stats/hour-slot.js';
import type { CallStore, StoredCall, StoredConflict } from '../../storage/port.js';
import { type Findings, stableJson } from './check-findings.js';

/** Calls compared per round trip. */
const CHECK_CHUNK_CALLS = 1_000;
/** The stored classification: a difference here with another classifier_version is not corruption. */
const CLASSIFICATION_FIELDS = ['outcome', 'ended_by', 'reason', 'reason_source', 'classifier_version'] as const;
const CLASSIFICATION = new Set<string>(CLASSIFICATION_FIELDS);

/**
 * Compares every live call (and its conflicting versions) with the rebuilt one of its sid,
 * then looks for rebuilt calls the live table lacks. Returns the hour slots of calls that
 * cannot be rebuilt (raw request pruned) and of calls classified by an older classifier,
 * whose rollups differ for that reason (for the rollup check).
 */
export async function checkCalls(live: CallStore, rebuilt: CallStore, lastRawId: number, findings: Findings): Promise<ExplainedSlots> {
  const uncheckableSlots = new Set<number>();
  const reclassifiedSlots = new Set<number>();
  for (let after = 0; ;) {
    const chunk = await live.derivedRows().callsAfter(after, CHECK_CHUNK_CALLS);
    if (chunk.length === 0) break;
    after = chunk.at(-1)?.id ?? after;
    const calls = chunk.map((c) => c.call).filter((call) => {
      if (call.raw_request_id <= lastRawId) return true;
      findings.report.newerThanRebuild++;
      return false;
    });
    const stillStored = await live.derivedRows().existingRawRequestIds(calls.map((c) => c.raw_request_id));
    const checkable: StoredCall[] = [];
    for (const call of calls) {
      if (stillStored.has(call.raw_request_id)) checkable.push(call);
      else {
        findings.add({ kind: 'not_checkable', key: call.sid, detail: `call: raw request ${call.raw_request_id} pruned` });
        addSlots(uncheckableSlots, call);
      }
    }
    const sids = checkable.map((c) => c.sid);
    const twins = new Map((await rebuilt.derivedRows().callsBySid(sids)).map((c) => [c.sid, c]));
    for (const call of checkable) {
      findings.report.compared.calls++;
      const twin = twins.get(call.sid);
      if (twin === undefined) findings.add({ kind: 'missing_call', key: call.sid, detail: `live call (raw request ${call.raw_request_id}) not rebuilt` });
      else if (compareCall(call, twin, findings) === 'classification') addSlots(reclassifiedSlots, call);
    }
    await compareConflicts(live, rebuilt, sids, lastRawId, findings);
  }
  await findExtraCalls(live, rebuilt, findings);
  return { uncheckableSlots, reclassifiedSlots };
}

/** Hour slots whose rollup rows may differ for a reason already reported per call. */
export interface ExplainedSlots {
  uncheckableSlots: Set<number>;
  reclassifiedSlots: Set<number>;
}

/** The hours a call's rollups touch: its setup hour, and the later hours it talks in (peak reach). */
function addSlots(slots: Set<number>, call: StoredCall): void {
  for (let slot = slotOf(call.setup_time); slot <= slotOf(Math.max(call.setup_time, call.end_time)); slot += ROLLUP_SLOT_SEC) slots.add(slot);
}

function compareCall(live: StoredCall, rebuilt: StoredCall, findings: Findings): 'classification' | undefined {
  const a = live as unknown as Record<string, unknown>;
  const b = rebuilt as unknown as Record<string, unknown>;
  // Primitives compare as they are; only `extra` (an object) needs its text.
  const differing = Object.keys(a).filter((k) => !CLASSIFICATION.has(k) && a[k] !== b[k] && (typeof a[k] !== 'object' || stableJson(a[k]) !== stableJson(b[k])));
  if (differing.length > 0) {
    const detail = differing.map((k) => `${k}: live ${stableJson(a[k])}, rebuilt ${stableJson(b[k])}`).join('; ');
    findings.add({ kind: 'call_field', key: live.sid, detail });
  }
  const classified = CLASSIFICATION_FIELDS.filter((k) => a[k] !== b[k]);
  if (classified.length === 0) return undefined;
  const detail = classified.map((k) => `${k}: live ${stableJson(a[k])}, rebuilt ${stableJson(b[k])}`).join('; ');
  // Another classifier version explains it (run `callevt reclassify`); the same version does not.
  if (live.classifier_version === rebuilt.classifier_version) {
    findings.add({ kind: 'call_field', key: live.sid, detail });
    return undefined;
  }
  findings.add({ kind: 'classification', key: live.sid, detail });
  return 'classification';
}

async function compareConflicts(live: CallStore, rebuilt: CallStore, sids: string[], lastRawId: number, findings: Findings): Promise<void> {
  const ours = (await live.derivedRows().conflictsOfSids(sids)).filter((c) => c.raw_request_id <= lastRawId);
  const theirs = await rebuilt.derivedRows().conflictsOfSids(sids);
  const stillStored = await live.derivedRows().existingRawRequestIds(ours.map((c) => c.raw_request_id));
  const keyOf = (c: StoredConflict) => `${c.sid} ${c.content_hash} ${c.raw_request_id} ${c.received_at}`;
  const rebuiltKeys = new Set(theirs.map(keyOf));
  const liveKeys = new Set(ours.map(keyOf));
  for (const c of ours) {
    if (rebuiltKeys.has(keyOf(c))) continue;
    if (!stillStored.has(c.raw_request_id)) findings.add({ kind: 'not_checkable', key: c.sid, detail: `conflicting version: raw request ${c.raw_request_id} pruned` });
    else findings.add({ kind: 'conflict', key: c.sid, detail: `live conflicting version ${c.content_hash.slice(0, 12)} (raw request ${c.raw_request_id}) not rebuilt` });
  }
  for (const c of theirs) {
    if (!liveKeys.has(keyOf(c))) findings.add({ kind: 'conflict', key: c.sid, detail: `rebuilt conflicting version ${c.content_hash.slice(0, 12)} (raw request ${c.raw_request_id}) not in the live table` });
  }
}

async function findExtraCalls(live: CallStore, rebuilt: CallStore, findings: Findings): Promise<void> {
  for (let after = 0; ;) {
    const chunk = await rebuilt.derivedRows().callsAfter(after, CHECK_CHUNK_CALLS);
    if (chunk.length === 0) break;
    after = chunk.at(-1)?.id ?? after;
    const known = new Set((await live.derivedRows().callsBySid(chunk.map((c) => c.call.sid))).map((c) => c.sid));
    for (const { call } of chunk) {
      if (!known.has(call.sid)) findings.add({ kind: 'extra_call', key: call.sid, detail: `rebuilt from raw request ${call.raw_request_id}, not in the live table` });
    }
  }
}
