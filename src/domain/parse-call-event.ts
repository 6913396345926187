import type { CallEvent, CallFieldSpec, CallType, FieldProblem } from './call-event.js';
import { CALL_EVENT_FIELDS, CALL_FIELDS, MAX_DURATION_SEC, MAX_EXTRA_VALUE_BYTES, MAX_ID_BYTES, MAX_UNIX_SECONDS } from './call-event.js';
import { utf8ByteLength } from './utf8-byte-length.js';
import { canonicalSid } from './canonical-sid.js';

// The bounds live with the fields (call-event.ts); tests and callers import them from here too.
export {
  MAX_APP_DATA_BYTES,
  MAX_CODE,
  MAX_DURATION_SEC,
  MAX_EXTRA_VALUE_BYTES,
  MAX_ID_BYTES,
  MAX_REL_CODE_STR_BYTES,
  MAX_RELEASER_BYTES,
  MAX_TERMINATE,
  MAX_UNIX_SECONDS,
  MAX_USER_REL_CODE_BYTES,
  MIN_CODE,
} from './call-event.js';

/** The result of parsing a callback: a typed event, or every reason it was refused. */
export type ParseResult = { ok: true; event: CallEvent } | { ok: false; problems: FieldProblem[] };

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const INTEGER = /^-?(0|[1-9][0-9]{0,15})$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]{2,45}$/;

const KNOWN_FIELDS: ReadonlySet<string> = new Set(CALL_EVENT_FIELDS);

/**
 * Turns the decoded keys of a 1-to-1 Call Event callback into a typed {@link CallEvent}.
 * Total: every input gives a result; it never throws. Each refused field is reported
 * with its own reason. Unknown keys are kept in `extra`, never a reason to refuse.
 *
 * @example parseCallEvent(new Map([['sid', 'x']])) // { ok: false, problems: [...] }
 */
export function parseCallEvent(values: ReadonlyMap<string, string>): ParseResult {
  const p = new FieldReader(values);
  // A copy of a template with every key already in place: filling it is cheaper than adding keys one by one.
  const event: Record<string, unknown> = { ...EVENT_TEMPLATE };
  for (const { name, required, read } of FIELD_READERS) event[name] = required ? p.required(name, read) : p.optional(name, read);
  event.extra = p.extra();
  return p.problems.length === 0 ? { ok: true, event: event as unknown as CallEvent } : { ok: false, problems: p.problems };
}

/** The reader of a field, from its kind and bounds (shared with the other callbacks' parsers). */
export function readerOf(field: CallFieldSpec): Reader<unknown> {
  switch (field.kind) {
    case 'sid':
      return readSid;
    case 'id':
      return readId;
    case 'call-type':
      return readCallType;
    case 'unix-seconds':
      return readUnixSeconds;
    case 'seconds':
      return readSeconds;
    case 'ip':
      return readIp;
    case 'integer':
      return integerIn(field.min ?? Number.MIN_SAFE_INTEGER, field.max ?? Number.MAX_SAFE_INTEGER);
    case 'text':
      return text(field.maxBytes ?? MAX_EXTRA_VALUE_BYTES, field.lineBreaks === true);
  }
}

/** Every key of an event, in CALL_FIELDS order then `extra`. */
const EVENT_TEMPLATE: Readonly<Record<string, unknown>> = Object.fromEntries([...CALL_FIELDS.map((f) => [f.name, null]), ['extra', null]]);

/** Each field with its reader, in CALL_FIELDS order (the order problems are reported in). */
const FIELD_READERS: ReadonlyArray<{ name: string; required: boolean; read: Reader<unknown> }> = CALL_FIELDS.map((field) => ({
  name: field.name,
  required: field.required,
  read: readerOf(field),
}));

/** A reader returns the typed value, or a string saying why the text was refused. */
export type Reader<T> = (text: string) => { value: T } | string;

/** Reads fields one by one, gathering every problem; keys outside `known` are kept as `extra`. */
export class FieldReader {
  readonly problems: FieldProblem[] = [];
  constructor(
    private readonly values: ReadonlyMap<string, string>,
    private readonly known: ReadonlySet<string> = KNOWN_FIELDS,
  ) {}

  required<T>(field: string, read: Reader<T>): T {
    const raw = this.values.get(field);
    if (raw === undefined || raw === '') {
      this.problems.push({ field, problem: raw === undefined ? 'is required' : 'is required and must not be empty' });
      return undefined as T; // never observed: a result with problems carries no event
    }
    return this.read(field, raw, read) as T;
  }

  optional<T>(field: string, read: Reader<T>): T | null {
    const raw = this.values.get(field);
    if (raw === undefined || raw === '') return null;
    return this.read(field, raw, read);
  }

  extra(): Record<string, string> {
    const kept: Array<[string, string]> = [];
    for (const [key, value] of this.values) {
      if (this.known.has(key)) continue;
      if (value.includes('\u0000')) this.problems.push({ field: key, problem: 'contains a NUL character' });
      else if (utf8ByteLength(value) > MAX_EXTRA_VALUE_BYTES) {
        this.problems.push({ field: key, problem: `is longer than ${MAX_EXTRA_VALUE_BYTES} bytes` });
      } else kept.push([key, value]);
    }
    // fromEntries defines own properties: a key named "__proto__" is kept, not swallowed.
    return Object.fromEntries(kept);
  }

  private read<T>(field: string, raw: string, read: Reader<T>): T | null {
    const result = read(raw);
    if (typeof result === 'string') {
      this.problems.push({ field, problem: result });
      return null;
    }
    return result.value;
  }
}

/** A UUID in either case, kept in its canonical (lower-case) form: the same sid in upper case is the same call. */
function readSid(raw: string): { value: string } | string {
  return UUID.test(raw) ? { value: canonicalSid(raw) } : 'must be a UUID of exactly 36 characters (8-4-4-4-12 hex digits)';
}

function readId(raw: string): { value: string } | string {
  if (CONTROL_CHARS.test(raw)) return 'must not contain control characters';
  if (utf8ByteLength(raw) > MAX_ID_BYTES) return `must be at most ${MAX_ID_BYTES} bytes`;
  return { value: raw };
}

function readCallType(raw: string): { value: CallType } | string {
  return raw === 'A' || raw === 'V' ? { value: raw } : "must be 'A' (audio) or 'V' (video)";
}

function readUnixSeconds(raw: string): { value: number } | string {
  const n = parseInteger(raw);
  if (n === null) return 'must be a whole number of Unix seconds';
  if (n < 0) return 'must not be negative';
  if (n > MAX_UNIX_SECONDS) return 'is too large for Unix seconds (milliseconds?)';
  return { value: n };
}

function readSeconds(raw: string): { value: number } | string {
  const n = parseInteger(raw);
  if (n === null) return 'must be a whole number of seconds';
  if (n < 0) return 'must not be negative';
  if (n > MAX_DURATION_SEC) return `must be at most ${MAX_DURATION_SEC} seconds`;
  return { value: n };
}

function integerIn(min: number, max: number): Reader<number> {
  return (raw) => {
    const n = parseInteger(raw);
    if (n === null) return 'must be an integer';
    if (n < min || n > max) return `must be between ${min} and ${max}`;
    return { value: n };
  };
}

function text(maxBytes: number, allowLineBreaks: boolean): Reader<string> {
  return (raw) => {
    if (raw.includes('\u0000')) return 'contains a NUL character';
    if (!allowLineBreaks && CONTROL_CHARS.test(raw)) return 'must not contain control characters';
    if (utf8ByteLength(raw) > maxBytes) return `must be at most ${maxBytes} bytes`;
    return { value: raw };
  };
}

function readIp(raw: string): { value: string } | string {
  if (IPV4.test(raw)) return { value: raw };
  if (IPV6_CHARS.test(raw) && raw.includes(':') && isIpv6(raw)) return { value: raw };
  return 'must be an IPv4 or IPv6 address';
}

function isIpv6(raw: string): boolean {
  let text = raw;
  let groupsWanted = 8;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false;
    text = `${text.slice(0, lastColon + 1)}0`;
    groupsWanted = 7;
  }
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length < groupsWanted : groups.length === groupsWanted;
}

/** A whole number written without sign games or leading zeros, as a safe integer; null otherwise. */
export function parseInteger(raw: string): number | null {
  if (!INTEGER.test(raw)) return null;
  // `+ 0` turns "-0" into plain 0, so that equal facts always store and hash alike.
  const n = Number(raw) + 0;
  return Number.isSafeInteger(n) ? n : null;
}
