import type { CallRow } from '../sql/call-row.js';
import { refreshRollupSlotsPostgres } from './rollups.js';
import { HOURLY_ROLLUPS_ONLY, toDollarParams } from '../sql/rollup-refresh.js';
import { type ConflictRow, planSidGroup, SID_CASE_SQL, sidGroupOf, sidsToMerge } from '../sql/sid-case-merge.js';

/** What the data steps need of a pg client. */
export interface PgStepClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Migration 7's data step on PostgreSQL, inside the migration's transaction (sid-case-merge.ts). */
export async function mergeSidCasePostgres(client: PgStepClient): Promise<void> {
  const all = async (text: string, params: unknown[]) => (await client.query(toDollarParams(text), params)).rows as Array<Record<string, unknown>>;
  const upper = {
    calls: (await all(SID_CASE_SQL.selectCalls, [])) as unknown as CallRow[],
    conflicts: (await all(SID_CASE_SQL.selectConflicts, [])) as unknown as ConflictRow[],
  };
  const removed: number[] = [];
  for (const sid of sidsToMerge(upper.calls, upper.conflicts)) {
    const lower = {
      call: (await all(SID_CASE_SQL.selectCallBySid, [sid]))[0] as CallRow | undefined,
      conflictHashes: (await all(SID_CASE_SQL.selectConflictHashes, [sid])).map((r) => String(r.content_hash)),
    };
    const plan = planSidGroup(sid, sidGroupOf(sid, upper, lower));
    for (const [text, params] of plan.statements) await all(text, params);
    removed.push(...plan.removedSetupTimes);
  }
  // Migration 7 runs before the quarter-hour rollups exist (migration 9 builds them from the calls).
  if (removed.length > 0) await refreshRollupSlotsPostgres({ query: async (text, params) => ({ rows: (await client.query(text, params)).rows as Array<Record<string, unknown>> }) }, removed, HOURLY_ROLLUPS_ONLY);
}
