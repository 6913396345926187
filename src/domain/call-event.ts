/** Bounds on callback values, named with their units (docs/spec/callbacks.md). */
export const MAX_ID_BYTES = 256;
export const MAX_APP_DATA_BYTES = 4095;
export const MAX_USER_REL_CODE_BYTES = 300;
export const MAX_RELEASER_BYTES = 255;
export const MAX_REL_CODE_STR_BYTES = 128;
export const MAX_EXTRA_VALUE_BYTES = 4095;
/** 9999-12-31T23:59:59Z: anything larger is not Unix seconds (often milliseconds). */
export const MAX_UNIX_SECONDS = 253_402_300_799;
/** One year: no call lasts longer. */
export const MAX_DURATION_SEC = 31_536_000;
export const MIN_CODE = -2_147_483_648;
export const MAX_CODE = 2_147_483_647;
export const MAX_TERMINATE = 255;

/**
 * How a field's text is read (parse-call-event.ts has one reader per kind):
 * `sid` a UUID; `id` a service or user id (no control characters, MAX_ID_BYTES);
 * `call-type` A or V; `unix-seconds` and `seconds` whole non-negative numbers;
 * `ip` an IPv4 or IPv6 address; `integer` a whole number in [min, max];
 * `text` at most `maxBytes`, line breaks only where `lineBreaks`.
 */
export type CallFieldKind = 'sid' | 'id' | 'call-type' | 'unix-seconds' | 'seconds' | 'ip' | 'integer' | 'text';

/** How a field is stored: its column type in every SQL database (storage/sql/sql-dialect.ts). */
export type CallFieldColumn = 'text' | 'int32' | 'int64';

/** One field of a Call Event: everything the parser, storage and the API need to know about it. */
export interface CallFieldSpec {
  readonly name: string;
  readonly kind: CallFieldKind;
  /** A required field is never null; an optional one is null when absent or empty. */
  readonly required: boolean;
  readonly column: CallFieldColumn;
  /** `integer`: the smallest and largest value accepted. */
  readonly min?: number;
  readonly max?: number;
  /** `text`: the longest value accepted, in UTF-8 bytes. */
  readonly maxBytes?: number;
  /** `text`: whether CR, LF and tab are accepted (other control characters never are). */
  readonly lineBreaks?: boolean;
  /**
   * The migration that added the field, when it came after the first release. While null
   * it is left out of the canonical form (canonical-event.ts), so that a call stored before
   * it keeps its content hash and a later delivery of it stays a duplicate.
   */
  readonly addedIn?: number;
}

/**
 * The fields of a 1-to-1 Call Event, in the order the spec lists them: the one
 * definition that the CallEvent type, the parser, the calls table's columns (insert, row
 * mapping, schema types), the JSON and CSV forms follow. Names are LINE Planet's own, so
 * that stored data, API answers and the spec read the same. A new field is one entry
 * here (with `addedIn`) plus one migration adding its column (docs/architecture.md).
 */
export const CALL_FIELDS = [
  { name: 'sid', kind: 'sid', required: true, column: 'text' },
  { name: 'from_service_id', kind: 'id', required: true, column: 'text' },
  { name: 'from_user_id', kind: 'id', required: true, column: 'text' },
  { name: 'to_service_id', kind: 'id', required: true, column: 'text' },
  { name: 'to_user_id', kind: 'id', required: true, column: 'text' },
  /** `A` audio, `V` video. */
  { name: 'type', kind: 'call-type', required: true, column: 'text' },
  /** Deprecated app data from makeCall(); replaced by `app_svr_data`. */
  { name: 'stid', kind: 'text', required: false, column: 'text', maxBytes: MAX_APP_DATA_BYTES, lineBreaks: true },
  { name: 'app_svr_data', kind: 'text', required: false, column: 'text', maxBytes: MAX_APP_DATA_BYTES, lineBreaks: true },
  { name: 'setup_time', kind: 'unix-seconds', required: true, column: 'int64' },
  /** 0 when the call never connected. */
  { name: 'start_time', kind: 'unix-seconds', required: true, column: 'int64' },
  { name: 'end_time', kind: 'unix-seconds', required: true, column: 'int64' },
  /** 0 when the call failed. */
  { name: 'duration', kind: 'seconds', required: true, column: 'int64' },
  { name: 'billing_sec', kind: 'seconds', required: false, column: 'int64' },
  { name: 'srcip', kind: 'ip', required: true, column: 'text' },
  { name: 'dstip', kind: 'ip', required: true, column: 'text' },
  /** Simplified Q.850 cause. */
  { name: 'terminate', kind: 'integer', required: true, column: 'int32', min: 0, max: MAX_TERMINATE },
  { name: 'disconnect_reason', kind: 'integer', required: false, column: 'int32', min: MIN_CODE, max: MAX_CODE },
  { name: 'releaser_type', kind: 'integer', required: false, column: 'int32', min: MIN_CODE, max: MAX_CODE },
  /** Legacy detailed reason (the seed's field); never decode with the disconnect_reason table. */
  { name: 'call_end_reason', kind: 'integer', required: false, column: 'int32', min: MIN_CODE, max: MAX_CODE },
  /** Legacy: `initiator`, `responder` or a VoIP server hostname. */
  { name: 'releaser', kind: 'text', required: false, column: 'text', maxBytes: MAX_RELEASER_BYTES, lineBreaks: false },
  { name: 'rel_code', kind: 'integer', required: true, column: 'int64', min: MIN_CODE, max: MAX_CODE },
  { name: 'rel_code_str', kind: 'text', required: true, column: 'text', maxBytes: MAX_REL_CODE_STR_BYTES, lineBreaks: false },
  { name: 'user_rel_code', kind: 'text', required: false, column: 'text', maxBytes: MAX_USER_REL_CODE_BYTES, lineBreaks: false },
] as const satisfies readonly CallFieldSpec[];

type CallField = (typeof CALL_FIELDS)[number];

export type CallType = 'A' | 'V';

/** The value type of a field kind. */
type KindValue<K extends CallFieldKind> = K extends 'call-type' ? CallType : K extends 'unix-seconds' | 'seconds' | 'integer' ? number : string;

/** Each field of CALL_FIELDS with its value type; optional ones are `null` when absent, never `undefined`. */
export type CallEventFields = {
  -readonly [F in CallField as F['name']]: F['required'] extends true ? KindValue<F['kind']> : KindValue<F['kind']> | null;
};

/** A 1-to-1 Call Event as LINE Planet sends it, parsed and typed (fields: CALL_FIELDS). */
export interface CallEvent extends CallEventFields {
  /** Keys LINE Planet sent that this version does not know; kept verbatim. */
  extra: Record<string, string>;
}

export type CallEventField = CallField['name'];

/** The LINE Planet field names of a call event, in the order the spec lists them. */
export const CALL_EVENT_FIELDS: readonly CallEventField[] = CALL_FIELDS.map((f) => f.name);

type OptionalField = Extract<CallField, { required: false }>['name'];

/**
 * Every optional field, absent: the start of an event built in code (simulator, test
 * fixtures), so that a new optional field needs no change there.
 */
export const ABSENT_OPTIONAL_FIELDS = Object.freeze(
  Object.fromEntries(CALL_FIELDS.filter((f) => !f.required).map((f) => [f.name, null])),
) as { readonly [F in OptionalField]: null };

/** One reason a field of a callback was refused. */
export interface FieldProblem {
  field: string;
  problem: string;
}
