import type { FieldProblem } from '../domain/call-event.js';
import { type CallStore, type RecordResult, type StoredCallbackRecord, type StoredQuarantineEntry, sidOfRecord } from '../storage/port.js';
import { readStoredDelivery } from './read-stored-delivery.js';

/** Quarantine entries read, parsed and recorded per transaction. */
export const REPLAY_CHUNK_ENTRIES = 500;
/** Most entries one replay names by id (`--id`, the API's `ids`). */
export const MAX_REPLAY_IDS = 1_000;
/** Most entries a replay's answer lists one by one (all are counted): the answer stays bounded. */
export const MAX_REPLAY_LISTED = 1_000;

/** Which quarantine entries to replay: all, those received since a time, or these ids. */
export interface ReplaySelection {
  /** Unix milliseconds: only entries received at or after it. */
  since?: number;
  ids?: readonly number[];
}

/** What replaying one quarantine entry did (or, in a dry run, would do). */
export interface ReplayedEntry {
  quarantine_id: number;
  raw_request_id: number;
  /** Unix milliseconds of the original delivery. */
  received_at: number;
  /** accepted / duplicate / conflict: it now parses; quarantined: it stays, with `reasons`. */
  result: Exclude<RecordResult, 'spooled'>;
  sid: string | null;
  /** The reasons it stays in quarantine (null once it parsed). */
  reasons: FieldProblem[] | null;
  /** The reasons it was quarantined with before this replay. */
  previous_reasons: FieldProblem[];
}

export interface ReplaySummary {
  dry_run: boolean;
  /** The first MAX_REPLAY_LISTED entries read again, in quarantine id order. */
  entries: ReplayedEntry[];
  /** Entries read again beyond those listed (counted, not listed). */
  unlisted: number;
  counts: Record<ReplayedEntry['result'], number>;
  /** Entries left as they are: their raw request was pruned, no reader knows its path, or another replay took them first. */
  skipped: number;
}

/**
 * Reads quarantined deliveries again from their raw requests with today's parser and
 * records them as live ingest would have (src/storage/port.ts, recordStoredCallbacks):
 * those that now parse become calls, duplicates or conflicts (the call keeps the
 * original delivery time and raw request), the others stay with their new reasons.
 * A dry run records each chunk in a transaction that is rolled back.
 */
export async function replayQuarantine(store: CallStore, selection: ReplaySelection, options: { dryRun: boolean; chunk?: number }): Promise<ReplaySummary> {
  const reader = store.derivedRows();
  const chunk = options.chunk ?? REPLAY_CHUNK_ENTRIES;
  const entries: ReplayedEntry[] = [];
  const counts = { accepted: 0, duplicate: 0, conflict: 0, quarantined: 0 };
  let unlisted = 0;
  // A dry run rolls each chunk back, so later chunks cannot see the calls earlier ones would
  // make: the versions (content hashes) each sid would get are kept here to decide them.
  const wouldStore = new Map<string, Set<string>>();
  let afterId = 0;
  let skipped = 0;
  for (;;) {
    const quarantined = await reader.quarantineToReplay({ afterId, limit: chunk, ...selection });
    if (quarantined.length === 0) break;
    afterId = (quarantined.at(-1) as StoredQuarantineEntry).id;
    const raws = new Map((await reader.rawRequestsById(quarantined.map((q) => q.raw_request_id))).map((r) => [r.id, r]));
    const replayable: Array<{ entry: StoredQuarantineEntry; record: StoredCallbackRecord }> = [];
    for (const entry of quarantined) {
      const raw = raws.get(entry.raw_request_id);
      const read = raw === undefined ? null : readStoredDelivery(raw);
      if (read === null) skipped++;
      else replayable.push({ entry, record: { ...read.record, rawRequestId: entry.raw_request_id } });
    }
    const results = await store.recordStoredCallbacks(replayable.map((r) => r.record), { mode: 'replay', dryRun: options.dryRun });
    replayable.forEach(({ entry, record }, i) => {
      const recorded = results[i];
      // Another process replayed it between our read and our transaction: it is theirs.
      if (recorded === 'already_replayed' || recorded === undefined || recorded === 'spooled') {
        skipped++;
        return;
      }
      let result: ReplayedEntry['result'] = recorded;
      if (options.dryRun && record.kind === 'event') result = decideAcrossChunks(wouldStore, record.event.sid, record.contentHash, result);
      counts[result]++;
      if (entries.length >= MAX_REPLAY_LISTED) {
        unlisted++;
        return;
      }
      entries.push({
        quarantine_id: entry.id,
        raw_request_id: entry.raw_request_id,
        received_at: entry.received_at,
        result,
        sid: sidOfRecord(record),
        reasons: record.kind === 'malformed' ? record.problems : null,
        previous_reasons: entry.reasons,
      });
    });
    if (quarantined.length < chunk) break;
  }
  return { dry_run: options.dryRun, entries, unlisted, counts, skipped };
}

/** A dry run's result for an event, given the versions earlier (rolled back) chunks would have stored. */
function decideAcrossChunks(wouldStore: Map<string, Set<string>>, sid: string, hash: string, result: ReplayedEntry['result']): ReplayedEntry['result'] {
  const versions = wouldStore.get(sid);
  if (versions === undefined) {
    if (result === 'accepted' || result === 'conflict') wouldStore.set(sid, new Set([hash]));
    return result;
  }
  if (versions.has(hash)) return 'duplicate';
  versions.add(hash);
  return 'conflict';
}
