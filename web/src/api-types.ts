/**
 * The public API's answers, as the agreed shapes describe them. The dashboard reads
 * nothing else, so these types are the whole contract between it and the server.
 */

/** The figures of docs/spec/outcomes.md §2, under their exact API names. */
export interface Figures {
  attempts: number;
  completed: number;
  dropped: number;
  canceled: number;
  rejected: number;
  busy: number;
  no_answer: number;
  failed: number;
  answered: number;
  asr: number | null;
  ner: number | null;
  drop_rate: number | null;
  acd_sec: number | null;
  total_duration_sec: number;
  total_billing_sec: number;
  short_call_ratio: number | null;
  duration_p50_sec: number | null;
  duration_p90_sec: number | null;
  duration_p99_sec: number | null;
  tta_p50_sec: number | null;
  tta_p90_sec: number | null;
  peak_concurrency: number;
}

export interface SummaryAnswer {
  from: number | null;
  to: number | null;
  summary: Figures;
}

export type Bucket = 'minute' | 'hour' | 'day' | 'week';

export interface TimeseriesAnswer {
  bucket: Bucket;
  tz: string;
  items: Array<Figures & { bucket_start: number; bucket_start_iso: string }>;
}

export type BreakdownBy =
  | 'outcome' | 'reason' | 'terminate' | 'ended_by' | 'type' | 'from_service_id' | 'to_service_id' | 'caller' | 'callee';

export interface BreakdownAnswer {
  by: BreakdownBy;
  items: Array<Figures & { value: string | number | null }>;
}

export interface DecodedCode {
  code: number;
  name: string;
  meaning: string;
}

export interface CallStatus {
  outcome: string;
  ended_by: string;
  reason: string;
  reason_source: string;
  connected: boolean;
  explanation: string;
  inconsistencies: Array<{ code: string; message: string }>;
  decoded: {
    terminate: DecodedCode | null;
    disconnect_reason: DecodedCode | null;
    call_end_reason: DecodedCode | null;
    releaser_type: DecodedCode | null;
  };
  classifier_version: number;
}

/** A call as GET /api/calls/:sid answers it. */
export interface CallJson {
  sid: string;
  from_service_id: string;
  from_user_id: string;
  to_service_id: string;
  to_user_id: string;
  type: 'A' | 'V';
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
  extra: Record<string, string>;
  conflicts: number;
  raw_request_id: number;
  received_at: string;
  status: CallStatus;
}

export interface CallPage {
  items: CallJson[];
  next_cursor: string | null;
}

export interface QuarantineEntry {
  id: number;
  raw_request_id: number;
  received_at: string;
  method: string;
  path: string;
  query: string;
  body: string | null;
  source_ip: string;
  reasons: Array<{ field: string; problem: string }>;
}

export interface QuarantinePage {
  items: QuarantineEntry[];
  next_before: number | null;
}

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details: Array<{ field: string; problem: string }> };
}

/** The LINE Planet field names of a call, in the spec's order (for the detail page). */
export const CALL_FIELDS = [
  'sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type', 'stid', 'app_svr_data',
  'setup_time', 'start_time', 'end_time', 'duration', 'billing_sec', 'srcip', 'dstip', 'terminate',
  'disconnect_reason', 'releaser_type', 'call_end_reason', 'releaser', 'rel_code', 'rel_code_str', 'user_rel_code',
] as const satisfies ReadonlyArray<keyof CallJson>;

export const OUTCOMES = ['completed', 'dropped', 'canceled', 'rejected', 'busy', 'no_answer', 'failed'] as const;
export const ENDED_BY = ['caller', 'callee', 'server', 'app_server', 'participant', 'unknown'] as const;
