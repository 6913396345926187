import type { Generated } from 'kysely';

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
}

export interface CallsTable {
  id: Generated<number>;
  sid: string;
  from_service_id: string;
  from_user_id: string;
  to_service_id: string;
  to_user_id: string;
  type: string;
  stid: string | null;
  app_svr_data: string | null;
  setup_time: number;
  start_time: number;
  end_time: number;
  duration: number;
  billing_sec: number | null;
  srcip: string;
  dstip: string;
  terminate: number;
  disconnect_reason: number | null;
  releaser_type: number | null;
  call_end_reason: number | null;
  releaser: string | null;
  rel_code: number;
  rel_code_str: string;
  user_rel_code: string | null;
  /** JSON object of unknown keys. */
  extra: string;
  content_hash: string;
  received_at: number;
  raw_request_id: number;
  conflicts: number;
  outcome: string;
  ended_by: string;
  reason: string;
  reason_source: string;
  classifier_version: number;
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
