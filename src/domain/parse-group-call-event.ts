import type { CallFieldSpec, FieldProblem } from './call-event.js';
import {
  GROUP_CALL_EVENT_FIELDS,
  GROUP_CALL_FIELDS,
  type GroupCallEvent,
  type GroupFieldSpec,
  LEGACY_MEDIA_TYPE_KEY,
  MAX_UE_TYPE_CHARS,
  PARTICIPANT_STATUSES,
  ROOM_STATUSES,
} from './group-call-event.js';
import type { Parsed } from './parse-keyed-callback.js';
import { FieldReader, parseInteger, type Reader, readerOf } from './parse-call-event.js';

/**
 * The smallest time read as milliseconds (docs/spec/callbacks.md §2.2): as seconds it is
 * the year 5138, as milliseconds March 1973, before any call. Smaller values are seconds.
 */
export const MIN_EPOCH_MS = 100_000_000_000;
/** The earliest time other than 0 accepted, in Unix seconds (1973-03-03): below it the two shapes would overlap. */
export const MIN_EPOCH_SECONDS = MIN_EPOCH_MS / 1000;
/**
 * The latest time accepted, in Unix milliseconds (the year 5138): its seconds stay below
 * MIN_EPOCH_MS, so that a stored time in seconds is never read back as milliseconds.
 */
export const MAX_EPOCH_MS = MIN_EPOCH_MS * 1000 - 1;

const GROUP_SID = /^[0-9a-fA-F]{32}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UE_TYPE = new RegExp(`^[A-Za-z0-9_]{1,${MAX_UE_TYPE_CHARS}}$`);

const KNOWN_KEYS: ReadonlySet<string> = new Set([...GROUP_CALL_EVENT_FIELDS, LEGACY_MEDIA_TYPE_KEY]);

/**
 * Turns the decoded keys of a Group Call Event into a typed {@link GroupCallEvent} in
 * stored units (docs/spec/callbacks.md §2). Total: never throws; each refused field is
 * named with its reason; unknown keys are kept in `extra`.
 *
 * @example parseGroupCallEvent(new Map([['sid', 'x']])) // { ok: false, problems: [...] }
 */
export function parseGroupCallEvent(values: ReadonlyMap<string, string>): Parsed<GroupCallEvent> {
  const media = mediaTypeKey(values);
  const reader = new FieldReader(media.values, KNOWN_KEYS);
  const event: Record<string, unknown> = {};
  for (const { name, required, read } of FIELD_READERS) {
    event[name] = required ? reader.required(name, read) : reader.optional(name, read);
  }
  event.extra = reader.extra();
  const problems = [...media.problems, ...reader.problems.map((p) => (p.field === 'media_type' ? { ...p, field: media.sentAs } : p))];
  return problems.length === 0 ? { ok: true, value: event as unknown as GroupCallEvent } : { ok: false, problems };
}

/**
 * `media_type` as sent under either spelling: the value the reader sees under
 * `media_type`, the key a problem with it names, and a problem when the two spellings
 * disagree.
 */
function mediaTypeKey(values: ReadonlyMap<string, string>): { values: ReadonlyMap<string, string>; sentAs: string; problems: FieldProblem[] } {
  const current = values.get('media_type');
  const legacy = values.get(LEGACY_MEDIA_TYPE_KEY);
  if (legacy === undefined || legacy === '') return { values, sentAs: 'media_type', problems: [] };
  if (current !== undefined && current !== '') {
    const problems = current === legacy ? [] : [{ field: LEGACY_MEDIA_TYPE_KEY, problem: `differs from media_type ('${legacy}' and '${current}')` }];
    return { values, sentAs: 'media_type', problems };
  }
  const copy = new Map(values);
  copy.set('media_type', legacy);
  return { values: copy, sentAs: LEGACY_MEDIA_TYPE_KEY, problems: [] };
}

/** The reader of a group field: its own kinds here, the 1-to-1 kinds from parse-call-event.ts. */
function groupReaderOf(field: GroupFieldSpec): Reader<unknown> {
  switch (field.kind) {
    case 'group-sid':
      return readGroupSid;
    case 'epoch-seconds':
      return readEpochSeconds;
    case 'epoch-ms':
      return readEpochMs;
    case 'room-status':
      return oneOf(ROOM_STATUSES, "must be 'S' (started), 'C' (changed) or 'E' (ended)");
    case 'participant-status':
      return oneOf(PARTICIPANT_STATUSES, "must be 'C' (connected), 'D' (disconnected), 'T' (timed out) or 'M' (media changed)");
    case 'ue-type':
      return (raw) => (UE_TYPE.test(raw) ? { value: raw } : `must be a device name of 1 to ${MAX_UE_TYPE_CHARS} characters A-Z, a-z, 0-9 or _`);
    default:
      return readerOf(field as CallFieldSpec);
  }
}

const FIELD_READERS = GROUP_CALL_FIELDS.map((field) => ({ name: field.name, required: field.required, read: groupReaderOf(field) }));

/**
 * A group sid in its stored form: 32 lower-case hex digits. The 36-character UUID of
 * older documentation is the same id with hyphens, so they are dropped.
 */
function readGroupSid(raw: string): { value: string } | string {
  if (GROUP_SID.test(raw) || UUID.test(raw)) return { value: raw.replaceAll('-', '').toLowerCase() };
  return 'must be 32 hexadecimal characters without hyphens (or a 36-character UUID, as older documentation wrote it)';
}

/**
 * A time in seconds or milliseconds (by magnitude), in Unix milliseconds; a refusal says
 * why. Times before MIN_EPOCH_SECONDS are refused (0 too, unless `zero` allows it): no
 * call has them, and refusing them keeps every stored value readable as itself.
 */
function epochMs(raw: string, zero: boolean): number | string {
  const n = parseInteger(raw);
  if (n === null) return 'must be a whole number of Unix seconds or milliseconds';
  if (n < 0) return 'must not be negative';
  if (n === 0 && zero) return 0;
  if (n < MIN_EPOCH_SECONDS) return 'is before 1973-03-03: not the time of a call';
  if (n > MAX_EPOCH_MS) return 'is after the year 5138 even in milliseconds';
  return n < MIN_EPOCH_MS ? n * 1000 : n;
}

/** setup_time, start_time, end_time: 0 (not yet) or a time, stored in whole seconds. */
function readEpochSeconds(raw: string): { value: number } | string {
  const ms = epochMs(raw, true);
  return typeof ms === 'string' ? ms : { value: Math.floor(ms / 1000) };
}

/** ts: a time, stored in milliseconds. */
function readEpochMs(raw: string): { value: number } | string {
  const ms = epochMs(raw, false);
  return typeof ms === 'string' ? ms : { value: ms };
}

function oneOf<T extends string>(allowed: readonly T[], problem: string): Reader<T> {
  return (raw) => ((allowed as readonly string[]).includes(raw) ? { value: raw as T } : problem);
}
