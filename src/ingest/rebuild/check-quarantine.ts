import type { CallStore, StoredQuarantineEntry, StoredRawRequest } from '../../storage/port.js';
import { type Findings, stableJson } from './check-findings.js';
import { mergeByKey } from './check-merge.js';

/**
 * Compares the quarantine entries of both sides by raw request id (their reasons and
 * time), and what each raw request became (its `result`).
 */
export async function checkQuarantineAndResults(live: CallStore, rebuilt: CallStore, lastRawId: number, findings: Findings): Promise<void> {
  const upTo = <T>(rows: T[], id: (r: T) => number) => rows.filter((r) => id(r) <= lastRawId);
  let pruned: StoredQuarantineEntry[] = [];
  // Live entries the rebuild lacks: a difference, unless their raw request was pruned.
  const decideUnrebuilt = async () => {
    const stillStored = await live.derivedRows().existingRawRequestIds(pruned.map((q) => q.raw_request_id));
    for (const q of pruned) {
      if (stillStored.has(q.raw_request_id)) findings.add({ kind: 'quarantine', key: `raw request ${q.raw_request_id}`, detail: `live quarantine entry (${reasonsText(q)}) not rebuilt` });
      else findings.add({ kind: 'not_checkable', key: `raw request ${q.raw_request_id}`, detail: 'quarantine entry: raw request pruned' });
    }
    pruned = [];
  };
  await mergeByKey<StoredQuarantineEntry>(
    async (after, limit) => upTo(await live.derivedRows().quarantineAfter(after, limit), (q) => q.raw_request_id),
    (after, limit) => rebuilt.derivedRows().quarantineAfter(after, limit),
    (q) => q.raw_request_id,
    async (rawId, ours, theirs) => {
      findings.report.compared.quarantine++;
      if (pruned.length >= 1_000) await decideUnrebuilt();
      if (ours === undefined) findings.add({ kind: 'quarantine', key: `raw request ${rawId}`, detail: `rebuilt quarantine entry (${reasonsText(theirs)}) not in the live table` });
      else if (theirs === undefined) pruned.push(ours);
      else if (stableJson(ours.reasons) !== stableJson(theirs.reasons) || ours.received_at !== theirs.received_at) {
        findings.add({ kind: 'quarantine', key: `raw request ${rawId}`, detail: `reasons: live ${reasonsText(ours)}, rebuilt ${reasonsText(theirs)}` });
      }
    },
  );
  await decideUnrebuilt();
  await mergeByKey<StoredRawRequest>(
    async (after, limit) => upTo(await live.derivedRows().rawRequestsAfter(after, limit), (r) => r.id),
    (after, limit) => rebuilt.derivedRows().rawRequestsAfter(after, limit),
    (r) => r.id,
    (id, ours, theirs) => {
      findings.report.compared.rawRequests++;
      if (ours === undefined || theirs === undefined) findings.add({ kind: 'raw_result', key: `raw request ${id}`, detail: ours === undefined ? 'only in the rebuild' : 'not rebuilt' });
      else if (ours.result !== theirs.result) findings.add({ kind: 'raw_result', key: `raw request ${id}`, detail: `result: live ${ours.result}, rebuilt ${theirs.result}` });
    },
  );
}

function reasonsText(entry: StoredQuarantineEntry | undefined): string {
  return (entry?.reasons ?? []).map((r) => `${r.field} ${r.problem}`).join('; ');
}
