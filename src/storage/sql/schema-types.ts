import type { Generated } from 'kysely';
import type { CALL_FIELDS } from '../../domain/call-event.js';
import type { GROUP_CALL_FIELDS } from '../../domain/group-call-event.js';
import type { CALL_FACT_COLUMNS } from './call-columns.js';

/**
 * Table shapes for the Kysely query builder, shared by every SQL adapter.
 * These `*Row` types stay inside `storage/`: convert with the helpers in call-row.ts.
 */
export interface Database {
  calls: CallsTable;
  call_conflicts: CallConflictsTable;
  raw_requests: RawRequestsTable;
  quarantine: QuarantineTable;
  schema_migrations: SchemaMigrationsTable;
  erasures: ErasuresTable;
  notifies: NotifiesTable;
  agent_call_statuses: AgentCallStatusesTable;
  callback_conflicts: CallbackConflictsTable;
  notify_relays: NotifyRelaysTable;
  group_call_events: GroupCallEventsTable;
  group_sessions: GroupSessionsTable;
  group_stays: GroupStaysTable;
  group_rollups: GroupRollupsTable;
  group_rollups_stale: GroupRollupsStaleTable;
}

/** The column of each field of the event (CALL_FIELDS): text as string, integers as number. */
export type CallFieldColumns = {
  [F in (typeof CALL_FIELDS)[number] as F['name']]: (F['column'] extends 'text' ? string : number) | (F['required'] extends true ? never : null);
};

/** The columns after the event's fields (CALL_FACT_COLUMNS); `extra` is the JSON object of unknown keys. */
export type CallFactColumns = {
  [C in (typeof CALL_FACT_COLUMNS)[number] as C['name']]: C['column'] extends 'text' ? string : number;
};

export interface CallsTable extends CallFieldColumns, CallFactColumns {
  id: Generated<number>;
}

export interface CallConflictsTable {
  id: Generated<number>;
  sid: string;
  content_hash: string;
  /** The conflicting version, as canonical JSON of the parsed event. */
  event: string;
  received_at: number;
  raw_request_id: number;
}

export interface RawRequestsTable {
  id: Generated<number>;
  received_at: number;
  method: string;
  path: string;
  query: string;
  body: string | null;
  content_type: string | null;
  source_ip: string;
  result: string;
  sid: string | null;
  /** JSON array of the reasons of a delivery refused before its content was read (migration 10). */
  unread_reasons: string | null;
}

export interface QuarantineTable {
  id: Generated<number>;
  raw_request_id: number;
  received_at: number;
  /** JSON array of {field, problem}. */
  reasons: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: number;
}

/** One erasure's audit row: no personal data, only when, who (the entry point), the service and counts. */
export interface ErasuresTable {
  id: Generated<number>;
  erased_at: number;
  actor: string;
  service_id: string;
  /** JSON object: rows touched per table. */
  touched: string;
}

/** The facts every once-per-sid callback table keeps after its own fields. */
interface KeyedCallbackColumns {
  id: Generated<number>;
  sid: string;
  /** JSON object of unknown keys. */
  extra: string;
  content_hash: string;
  received_at: number;
  raw_request_id: number;
  conflicts: Generated<number>;
}

export interface NotifiesTable extends KeyedCallbackColumns {
  from_service_id: string;
  from_user_id: string;
  to_service_id: string;
  to_user_id: string;
  type: string;
  param: string;
  stid: string | null;
  app_svr_data: string | null;
  /** Unix milliseconds when a sweep looked at it past its end deadline; null until then. */
  end_checked_at: number | null;
  /** 1 when that sweep found no Call Event for it (docs/api.md, end_missing). */
  end_missing: Generated<number>;
}

export interface AgentCallStatusesTable extends KeyedCallbackColumns {
  agent_type: string;
  media_source_type: string;
  result: string;
  fail_reason: string | null;
}

export interface CallbackConflictsTable {
  id: Generated<number>;
  /** `notify` or `agent-call-status`. */
  kind: string;
  sid: string;
  content_hash: string;
  /** The conflicting version's canonical text. */
  content: string;
  received_at: number;
  raw_request_id: number;
}

export interface NotifyRelaysTable {
  id: Generated<number>;
  sid: string;
  attempted_at: number;
  outcome: string;
  status: number | null;
  latency_ms: number;
  error: string | null;
}

/** The column of each field of a Group Call Event (GROUP_CALL_FIELDS): text as string, integers as number. */
export type GroupFieldColumns = {
  [F in (typeof GROUP_CALL_FIELDS)[number] as F['name']]: (F['column'] extends 'text' ? string : number) | (F['required'] extends true ? never : null);
};

/** One stored event per key (migration 15): the first version received. */
export interface GroupCallEventsTable extends GroupFieldColumns {
  /** The JSON object of unknown keys. */
  extra: string;
  content_hash: string;
  received_at: number;
  raw_request_id: number;
  conflicts: number;
}

/** A room session rebuilt from its sid's events (migration 15); flags as JSON. */
export interface GroupSessionsTable {
  sid: string;
  svc_id: string;
  id: string;
  host_svc_id: string;
  host_id: string;
  media_type: string;
  /** `ended` or `in_progress`: end_missing is read with the deadline. */
  state: string;
  started_at: number;
  ended_at: number | null;
  duration_ms: number | null;
  last_event_at: number;
  participants: number;
  peak_online: number;
  final_online: number;
  peak_stays: number;
  event_count: number;
  conflicts: number;
  flags: string;
  rules_version: number;
}

/** One participant stay (migration 15), `seq` its place in the session; media changes and flags as JSON. */
export interface GroupStaysTable {
  sid: string;
  seq: number;
  user_svc_id: string;
  user_id: string;
  display_name: string | null;
  ue_type: string;
  media_type: string;
  media_changes: string;
  joined_at: number | null;
  left_at: number | null;
  duration_ms: number | null;
  stay_end: string;
  disconnect_reason: number | null;
  releaser_type: number | null;
  status: string;
  ended_by: string;
  reason: string | null;
  explanation: string;
  flags: string;
}

/** Migration 16: the mergeable group figures of the sessions started in a UTC slot, per dimension value. */
export interface GroupRollupsTable {
  width: number;
  slot: number;
  dim: string;
  value: string;
  sessions: number;
  sessions_ended: number;
  completed: number;
  dropped: number;
  timed_out: number;
  kicked: number;
  replaced: number;
  failed_to_join: number;
  in_room: number;
  participants_sum: number;
  participant_ms: number;
  peak_participants: number;
  /** JSON `[seconds, count, …]` (histogramToJson). */
  stay_seconds: string;
  session_seconds: string;
  /** JSON `[[reason, count], …]`, reason null when the stay's end carried none. */
  join_failures: string;
  drops: string;
}

/** Migration 16: group rollup slots to rebuild before they are read. */
export interface GroupRollupsStaleTable {
  width: number;
  slot: number;
}
