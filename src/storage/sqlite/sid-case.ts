import type { CallRow } from '../sql/call-row.js';
import { HOURLY_ROLLUPS_ONLY, refreshRollupSlotSync, slotsOf } from '../sql/rollup-refresh.js';
import { type ConflictRow, planSidGroup, SID_CASE_SQL, sidGroupOf, sidsToMerge } from '../sql/sid-case-merge.js';
import type { SqliteDatabase } from './sqlite-driver.js';

/** Migration 7's data step on SQLite, inside the migration's transaction (sid-case-merge.ts). */
export function mergeSidCaseSqlite(db: SqliteDatabase): void {
  const all = (text: string, params: unknown[]) => db.prepare(text).all(...params) as Array<Record<string, unknown>>;
  const run = (text: string, params: unknown[]) => db.prepare(text).run(...params);
  const upper = {
    calls: all(SID_CASE_SQL.selectCalls, []) as unknown as CallRow[],
    conflicts: all(SID_CASE_SQL.selectConflicts, []) as unknown as ConflictRow[],
  };
  const removed: number[] = [];
  for (const sid of sidsToMerge(upper.calls, upper.conflicts)) {
    const lower = {
      call: all(SID_CASE_SQL.selectCallBySid, [sid])[0] as CallRow | undefined,
      conflictHashes: all(SID_CASE_SQL.selectConflictHashes, [sid]).map((r) => String(r.content_hash)),
    };
    const plan = planSidGroup(sid, sidGroupOf(sid, upper, lower));
    for (const [text, params] of plan.statements) run(text, params);
    removed.push(...plan.removedSetupTimes);
  }
  // Migration 7 runs before the quarter-hour rollups exist (migration 9 builds them from the calls).
  for (const slot of slotsOf(removed)) refreshRollupSlotSync(all, run, slot, HOURLY_ROLLUPS_ONLY);
}
