import type { CallFieldColumn, CallFieldKind, CallType } from './call-event.js';
import { MAX_APP_DATA_BYTES, MAX_CODE, MAX_REL_CODE_STR_BYTES, MIN_CODE } from './call-event.js';

/** Most participants a room reports online: no room holds more; bounds the input. */
export const MAX_ONLINE_PARTICIPANTS = 100_000;
/** Longest display_name accepted, in UTF-8 bytes (LINE Planet documents none). */
export const MAX_DISPLAY_NAME_BYTES = 1024;
/** Longest ue_type accepted, in characters of [A-Za-z0-9_] (device types to come are kept). */
export const MAX_UE_TYPE_CHARS = 32;

/**
 * How a group field's text is read, besides the 1-to-1 kinds (parse-group-call-event.ts):
 * `group-sid` 32 hex digits (or a 36-character UUID); `epoch-seconds` and `epoch-ms` a
 * time in seconds or milliseconds told by magnitude, stored in that unit;
 * `room-status` S, C or E; `participant-status` C, D, T or M; `ue-type` a device name.
 */
export type GroupFieldKind = 'group-sid' | 'epoch-seconds' | 'epoch-ms' | 'room-status' | 'participant-status' | 'ue-type';

/** One field of a Group Call Event: what the parser, storage and the API need to know about it. */
export interface GroupFieldSpec {
  readonly name: string;
  readonly kind: Exclude<CallFieldKind, 'sid' | 'unix-seconds' | 'seconds' | 'ip'> | GroupFieldKind;
  /** A required field is never null; an optional one is null when absent or empty. */
  readonly required: boolean;
  readonly column: CallFieldColumn;
  readonly min?: number;
  readonly max?: number;
  readonly maxBytes?: number;
  readonly lineBreaks?: boolean;
  /** The migration that added the field after the first release (left out of the canonical form while null). */
  readonly addedIn?: number;
}

/**
 * The fields of a Group Call Event (docs/spec/callbacks.md §2.1), in the order the spec
 * lists them: the one definition the GroupCallEvent type and the parser follow, and that
 * the storage columns should follow. Names are LINE Planet's own.
 */
export const GROUP_CALL_FIELDS = [
  { name: 'sid', kind: 'group-sid', required: true, column: 'text' },
  { name: 'svc_id', kind: 'id', required: true, column: 'text' },
  { name: 'id', kind: 'id', required: true, column: 'text' },
  { name: 'user_svc_id', kind: 'id', required: true, column: 'text' },
  { name: 'user_id', kind: 'id', required: true, column: 'text' },
  { name: 'host_svc_id', kind: 'id', required: true, column: 'text' },
  { name: 'host_id', kind: 'id', required: true, column: 'text' },
  { name: 'sc', kind: 'room-status', required: true, column: 'text' },
  { name: 'msc', kind: 'participant-status', required: true, column: 'text' },
  { name: 'setup_time', kind: 'epoch-seconds', required: true, column: 'int64' },
  { name: 'start_time', kind: 'epoch-seconds', required: true, column: 'int64' },
  { name: 'end_time', kind: 'epoch-seconds', required: true, column: 'int64' },
  { name: 'online', kind: 'integer', required: true, column: 'int32', min: 0, max: MAX_ONLINE_PARTICIPANTS },
  /** `A` or `V`; the 2020 spelling `mediaType` is read into it (parse-group-call-event.ts). */
  { name: 'media_type', kind: 'call-type', required: true, column: 'text' },
  /** Unix milliseconds: the order of events. */
  { name: 'ts', kind: 'epoch-ms', required: true, column: 'int64' },
  { name: 'stid', kind: 'text', required: false, column: 'text', maxBytes: MAX_APP_DATA_BYTES, lineBreaks: true },
  { name: 'app_svr_data', kind: 'text', required: false, column: 'text', maxBytes: MAX_APP_DATA_BYTES, lineBreaks: true },
  { name: 'rel_code', kind: 'integer', required: false, column: 'int64', min: MIN_CODE, max: MAX_CODE },
  { name: 'rel_code_str', kind: 'text', required: false, column: 'text', maxBytes: MAX_REL_CODE_STR_BYTES, lineBreaks: false },
  { name: 'ue_type', kind: 'ue-type', required: true, column: 'text' },
  { name: 'display_name', kind: 'text', required: false, column: 'text', maxBytes: MAX_DISPLAY_NAME_BYTES, lineBreaks: false },
  { name: 'disconnect_reason', kind: 'integer', required: false, column: 'int32', min: MIN_CODE, max: MAX_CODE },
  { name: 'releaser_type', kind: 'integer', required: false, column: 'int32', min: MIN_CODE, max: MAX_CODE },
] as const satisfies readonly GroupFieldSpec[];

type GroupField = (typeof GROUP_CALL_FIELDS)[number];

/** The room's state: `S` started, `C` changed, `E` ended. */
export const ROOM_STATUSES = ['S', 'C', 'E'] as const;
/** One of ROOM_STATUSES. */
export type RoomStatus = (typeof ROOM_STATUSES)[number];

/** The participant's state: `C` connected, `D` disconnected, `T` timed out, `M` media changed. */
export const PARTICIPANT_STATUSES = ['C', 'D', 'T', 'M'] as const;
/** One of PARTICIPANT_STATUSES. */
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

/** The devices LINE Planet documents for `ue_type`; others of the same form are kept too. */
export const KNOWN_UE_TYPES = ['UE_TYPE_UNDEFINED', 'ANDROID', 'IOS', 'DESKTOPMAC', 'DESKTOPWIN', 'BROWSER', 'SIP_TERMINAL'] as const;

type KindValue<K extends GroupFieldSpec['kind']> = K extends 'call-type'
  ? CallType
  : K extends 'room-status'
    ? RoomStatus
    : K extends 'participant-status'
      ? ParticipantStatus
      : K extends 'epoch-seconds' | 'epoch-ms' | 'integer'
        ? number
        : string;

/** Each field of GROUP_CALL_FIELDS with its value type; optional ones are `null` when absent. */
export type GroupCallEventFields = {
  -readonly [F in GroupField as F['name']]: F['required'] extends true ? KindValue<F['kind']> : KindValue<F['kind']> | null;
};

/** A Group Call Event, parsed, typed and in stored units (fields: GROUP_CALL_FIELDS). */
export interface GroupCallEvent extends GroupCallEventFields {
  /** Keys LINE Planet sent that this version does not know; kept verbatim. */
  extra: Record<string, string>;
}

/** The LINE Planet field names of a group call event, in spec order. */
export const GROUP_CALL_EVENT_FIELDS: readonly GroupField['name'][] = GROUP_CALL_FIELDS.map((f) => f.name);

/** The 2020 spelling of `media_type`, accepted in its place (docs/spec/callbacks.md §2.1). */
export const LEGACY_MEDIA_TYPE_KEY = 'mediaType';
