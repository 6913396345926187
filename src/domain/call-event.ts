/**
 * A 1-to-1 Call Event as LINE Planet sends it, parsed and typed.
 * Field names are LINE Planet's own so that stored data, API answers and the spec
 * read the same. Optional fields are `null` when absent, never `undefined`.
 */
export interface CallEvent {
  sid: string;
  from_service_id: string;
  from_user_id: string;
  to_service_id: string;
  to_user_id: string;
  /** `A` audio, `V` video. */
  type: CallType;
  /** Deprecated app data from makeCall(); replaced by `app_svr_data`. */
  stid: string | null;
  app_svr_data: string | null;
  /** Unix seconds. */
  setup_time: number;
  /** Unix seconds; 0 when the call never connected. */
  start_time: number;
  /** Unix seconds. */
  end_time: number;
  /** Seconds; 0 when the call failed. */
  duration: number;
  billing_sec: number | null;
  srcip: string;
  dstip: string;
  /** Simplified Q.850 cause. */
  terminate: number;
  disconnect_reason: number | null;
  releaser_type: number | null;
  /** Legacy detailed reason (the seed's field); never decode with the disconnect_reason table. */
  call_end_reason: number | null;
  /** Legacy: `initiator`, `responder` or a VoIP server hostname. */
  releaser: string | null;
  rel_code: number;
  rel_code_str: string;
  user_rel_code: string | null;
  /** Keys LINE Planet sent that this version does not know; kept verbatim. */
  extra: Record<string, string>;
}

export type CallType = 'A' | 'V';

/** The LINE Planet field names of a call event, in the order the spec lists them. */
export const CALL_EVENT_FIELDS = [
  'sid',
  'from_service_id',
  'from_user_id',
  'to_service_id',
  'to_user_id',
  'type',
  'stid',
  'app_svr_data',
  'setup_time',
  'start_time',
  'end_time',
  'duration',
  'billing_sec',
  'srcip',
  'dstip',
  'terminate',
  'disconnect_reason',
  'releaser_type',
  'call_end_reason',
  'releaser',
  'rel_code',
  'rel_code_str',
  'user_rel_code',
] as const satisfies ReadonlyArray<keyof CallEvent>;

export type CallEventField = (typeof CALL_EVENT_FIELDS)[number];

/** One reason a field of a callback was refused. */
export interface FieldProblem {
  field: string;
  problem: string;
}
