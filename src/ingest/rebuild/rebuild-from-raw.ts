import type { CallStore, StoredCallbackRecord, StoredRawRequest } from '../../storage/port.js';
import { malformedRecord } from '../receive-callback.js';
import { readStoredDelivery } from '../read-stored-delivery.js';

/** Raw requests read from the source and recorded in the target per transaction (bounded memory). */
export const REBUILD_CHUNK_REQUESTS = 2_000;

/** Where a rebuild stands, after each chunk. */
export interface RebuildProgress {
  /** The last raw request id the target holds. */
  lastId: number;
  /** The source's last raw request id when the rebuild started. */
  targetId: number;
  /** Raw requests recorded by this run so far. */
  done: number;
  /** 'rollups' once every raw request is recorded and the statistics rollups are being built. */
  phase: 'raw' | 'rollups';
}

export interface RebuildResult extends Omit<RebuildProgress, 'phase'> {
  /** Where this run started: the target's last raw request id before it (0 for a fresh target). */
  resumedFrom: number;
}

/**
 * Derives calls, conflicts, quarantine and rollups again from the source's raw requests
 * alone into `target` (a new, empty database): each raw request is read by the reader of
 * its path (read-stored-delivery.ts) and recorded in raw request id order through the
 * same recorder as live ingest, with its own id. The statistics rollups are then built in
 * one pass from all the calls (rebuildStatsRollups), as a repair does: the same rows as
 * adding each chunk's calls, several times faster (bench/README.md). The target's last
 * raw request id is where a second run resumes; a run that reaches the end always builds
 * the rollups again, so one interrupted while building them is finished by the next.
 * Deliveries arriving in the source meanwhile are left for the next run.
 */
export async function rebuildFromRaw(
  source: CallStore,
  target: CallStore,
  options: { chunk?: number; onProgress?: (progress: RebuildProgress) => void; signal?: AbortSignal } = {},
): Promise<RebuildResult> {
  const chunk = options.chunk ?? REBUILD_CHUNK_REQUESTS;
  const resumedFrom = await target.derivedRows().lastRawRequestId();
  const targetId = await source.derivedRows().lastRawRequestId();
  let lastId = resumedFrom;
  let done = 0;
  while (lastId < targetId && options.signal?.aborted !== true) {
    const raws = (await source.derivedRows().rawRequestsAfter(lastId, chunk)).filter((r) => r.id <= targetId);
    if (raws.length === 0) break;
    await target.recordStoredCallbacks(raws.map(recordOfStoredRequest), { mode: 'rebuild' });
    lastId = (raws.at(-1) as StoredRawRequest).id;
    done += raws.length;
    options.onProgress?.({ lastId, targetId, done, phase: 'raw' });
  }
  if (options.signal?.aborted !== true) {
    options.onProgress?.({ lastId, targetId, done, phase: 'rollups' });
    await target.rebuildStatsRollups();
  }
  return { resumedFrom, lastId, targetId, done };
}

/** What live ingest would record for a stored raw request; a path no reader knows is kept in quarantine. */
export function recordOfStoredRequest(raw: StoredRawRequest): StoredCallbackRecord {
  const read = readStoredDelivery(raw);
  const record = read?.record ?? malformedRecord(raw, [{ field: 'path', problem: `no callback endpoint reads ${raw.path}` }]);
  return { ...record, rawRequestId: raw.id };
}
