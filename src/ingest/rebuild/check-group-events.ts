import type { CallStore, StoredGroupEvent } from '../../storage/port.js';
import type { Findings } from './check-findings.js';
import { mergeByKey } from './check-merge.js';

/**
 * Compares the stored group events of both sides by raw request id: the same event key,
 * content and count of conflicting versions. Room sessions and stays are not compared
 * row by row: each side rebuilt them from exactly these events in the commit that stored
 * them (storage/sql/record-group-events.ts).
 */
export async function checkGroupEvents(live: CallStore, rebuilt: CallStore, lastRawId: number, findings: Findings): Promise<void> {
  await mergeByKey<StoredGroupEvent>(
    async (after, limit) => (await live.derivedRows().groupEventsAfter(after, limit)).filter((e) => e.raw_request_id <= lastRawId),
    (after, limit) => rebuilt.derivedRows().groupEventsAfter(after, limit),
    (e) => e.raw_request_id,
    (rawId, ours, theirs) => {
      findings.report.compared.groupEvents++;
      const key = `group event of raw request ${rawId}`;
      if (ours === undefined || theirs === undefined) findings.add({ kind: 'group_event', key, detail: ours === undefined ? 'only in the rebuild' : 'not rebuilt' });
      else if (ours.key !== theirs.key || ours.content_hash !== theirs.content_hash) findings.add({ kind: 'group_event', key, detail: `live ${ours.key}, rebuilt ${theirs.key}` });
      else if (ours.conflicts !== theirs.conflicts) findings.add({ kind: 'group_event', key, detail: `conflicting versions: live ${ours.conflicts}, rebuilt ${theirs.conflicts}` });
    },
  );
}
