import type { RetentionCutoffs } from '../../domain/privacy/retention-policy.js';
import {
  type ErasureContext, eraseFromCallbackConflicts, eraseFromCalls, eraseFromConflicts, eraseFromGroupCallEvents, eraseFromNotifies, eraseFromQuarantine,
  eraseFromRawRequests, eraseFromRelayOutbox,
} from './erase-steps.js';
import {
  type BatchOutcome, countCallIps, countCalls, countGroupCalls, countKeyedCallbacks, removeGroupCalls, countRelayOutbox, removeKeyedCallbacks, removeRelayOutbox, countConflictIps, countQuarantine, countRawRequestIps, countRawRequests,
  countRollups, removeCalls, removeQuarantine, removeRawRequests, removeRollups, rollupHoursOf, truncateCallIps, truncateConflictIps,
  truncateRawRequestIps,
} from './retention-steps.js';
import type { SqlDialectName, SqlSteps } from './sql-steps.js';

/**
 * Every table that holds personal data or lives under a retention limit, and what erasure
 * and retention do to it: THE place to extend when a table is added (docs/operations.md,
 * "Personal data"). A table holding user ids or raw requests needs an `erase` step (and a
 * test in test/contract/privacy-contract.ts); a table that grows with time needs a
 * `retention` entry. Tables left out on purpose are listed in NOT_PERSONAL_DATA.
 */
export interface PersonalDataPlace {
  table: string;
  /**
   * Removes the target from the table's rows inside the erasure's one transaction; returns
   * rows changed. Runs in list order: a step may leave raw request ids for a later one.
   */
  erase?: (ctx: ErasureContext) => SqlSteps<number>;
  /** Removal of rows older than a cutoff, one batch per transaction. */
  retention?: {
    /** The cutoff this table follows (null: kept forever). */
    cutoff: (c: RetentionCutoffs) => number | null;
    /** `dialect`: the database running it (removing calls locks rollup hours on PostgreSQL). */
    removeBatch: (cutoff: number, size: number, dialect: SqlDialectName) => SqlSteps<BatchOutcome>;
    /** What removeBatch would remove in all (a dry run). */
    count: (cutoff: number) => SqlSteps<Record<string, number>>;
  };
  /** IP truncation of rows received before the IP cutoff, one batch per transaction. */
  truncateIps?: {
    batch: (beforeMs: number, size: number) => SqlSteps<BatchOutcome>;
    /** Rows still to visit (a dry run). */
    count: (beforeMs: number) => SqlSteps<number>;
  };
}

export const PERSONAL_DATA_PLACES: readonly PersonalDataPlace[] = [
  {
    table: 'calls',
    erase: eraseFromCalls,
    retention: { cutoff: (c) => c.callsBeforeSec, removeBatch: removeCalls, count: countCalls },
    truncateIps: { batch: truncateCallIps, count: countCallIps },
  },
  // Removed with their calls (above); erased and truncated on their own.
  { table: 'call_conflicts', erase: eraseFromConflicts, truncateIps: { batch: truncateConflictIps, count: countConflictIps } },
  {
    // A call's Notify names both users; it lives as long as calls (with agent_call_statuses,
    // their callback_conflicts and notify_relays: removeKeyedCallbacks).
    table: 'notifies',
    erase: eraseFromNotifies,
    retention: { cutoff: (c) => c.callsBeforeSec, removeBatch: removeKeyedCallbacks, count: countKeyedCallbacks },
  },
  // Conflicting versions of Notifies: erased on their own, removed with their Notify (above).
  { table: 'callback_conflicts', erase: eraseFromCallbackConflicts },
  // Group events name a participant and the host; their conflicting versions (in
  // callback_conflicts) and their rooms' sessions and stays follow in the same step.
  { table: 'group_call_events', erase: eraseFromGroupCallEvents },
  // Rebuilt from group_call_events, so erased with them (above). A room session lives as
  // long as calls, removed whole with its events, stays and conflicting versions.
  { table: 'group_sessions', retention: { cutoff: (c) => c.callsBeforeSec, removeBatch: removeGroupCalls, count: countGroupCalls } },
  { table: 'group_stays' },
  {
    // Its personal data is its raw request's text: erase finds the entries, raw_requests rewrites them.
    table: 'quarantine',
    erase: eraseFromQuarantine,
    retention: { cutoff: (c) => c.quarantineBeforeMs, removeBatch: removeQuarantine, count: countQuarantine },
  },
  {
    // Copies of raw requests waiting for (or done with) the Call Event relay; found by the
    // sids of the target's calls (above). Settled rows follow the raw limit.
    table: 'relay_outbox',
    erase: eraseFromRelayOutbox,
    retention: { cutoff: (c) => c.rawBeforeMs, removeBatch: removeRelayOutbox, count: countRelayOutbox },
  },
  {
    // Last: rewrites the raw requests every step above found.
    table: 'raw_requests',
    erase: eraseFromRawRequests,
    retention: { cutoff: (c) => c.rawBeforeMs, removeBatch: removeRawRequests, count: countRawRequests },
    truncateIps: { batch: truncateRawRequestIps, count: countRawRequestIps },
  },
  {
    // Counts per hour and per dimension; no dimension is a user or an IP (ROLLUP_DIMENSIONS).
    table: 'call_rollups',
    retention: { cutoff: (c) => c.rollupsBeforeSec, removeBatch: (cutoff, rows) => removeRollups(cutoff, rollupHoursOf(rows)), count: countRollups },
  },
];

/**
 * Tables that hold no personal data, and why; a test fails when a table exists in neither
 * list, so that a new table is a decision, not an oversight.
 */
export const NOT_PERSONAL_DATA: Readonly<Record<string, string>> = {
  rollup_stale_peaks: 'hour numbers only (removed with the rollups they mark)',
  call_rollups_q: 'counts per quarter-hour, like call_rollups (removed with them)',
  rollup_stale_peaks_q: 'quarter-hour numbers only (removed with the rollups they mark)',
  call_rollup_blocks: 'counts per 3 hours and per day, built from call_rollups (removed with them)',
  rollup_stale_blocks: 'block numbers only (removed with the blocks they mark)',
  lifecycle_rollups: 'counts per quarter-hour of Notify, relay, push failure and Agent Call Status figures; values are outcomes, verdicts, ms and fail reasons, never a sid or user id (removed with call_rollups)',
  agent_call_statuses: 'a sid, the agent and media source types, SUCCESS/FAIL and its reason: no user id (removed with notifies, above)',
  notify_relays: 'a sid, the outcome, HTTP status and latency of each relay attempt, no URL (removed with their Notify, above)',
  group_rollups: 'counts per slot of group sessions by media type and ue_type, never a room, sid or user id (rebuilt without the sessions retention removes: they are marked stale with them)',
  group_rollups_stale: 'slot numbers only',
  schema_migrations: 'migration versions',
  erasures: 'the erasure audit: time, entry point, service id and counts, never a user id',
  retention_progress: 'how far IP truncation got: a time and a row id per table',
};
