import type { CallStore } from '../../storage/port.js';
import { checkCalls } from './check-calls.js';
import { type CheckFinding, type CheckReport, createFindings } from './check-findings.js';
import { checkQuarantineAndResults } from './check-quarantine.js';
import { checkRollups } from './check-rollups.js';
import { checkLifecycleRollups } from './check-lifecycle-rollups.js';
import { checkGroupEvents } from './check-group-events.js';

/**
 * Compares the tables derived from raw requests (calls, conflicting versions, quarantine,
 * each raw request's result, statistics rollups, the call lifecycle rollups a rebuild can
 * derive, group events) of the live database with a rebuild of
 * it (rebuild-from-raw.ts), reading both in chunks. Rows from raw requests newer than the
 * rebuild (`lastRawId`) are left out. Each finding goes to `onFinding` as it is found.
 */
export async function checkRebuild(live: CallStore, rebuilt: CallStore, options: { lastRawId: number; onFinding: (finding: CheckFinding) => void }): Promise<CheckReport> {
  const findings = createFindings(options.onFinding);
  const explained = await checkCalls(live, rebuilt, options.lastRawId, findings);
  await checkQuarantineAndResults(live, rebuilt, options.lastRawId, findings);
  await checkRollups(live, rebuilt, explained, findings);
  await checkLifecycleRollups(live, rebuilt, explained, findings);
  await checkGroupEvents(live, rebuilt, options.lastRawId, findings);
  return findings.report;
}
