import { AGENT_CALL_STATUS_FIELDS, type AgentCallStatus } from './agent-call-status.js';
import type { CallEvent, CallFieldSpec, FieldProblem } from './call-event.js';
import { canonicalizeEvent } from './canonical-event.js';
import { type Notify, NOTIFY_FIELDS } from './notify.js';
import { FieldReader, readerOf } from './parse-call-event.js';

/** A parsed callback, or every reason it was refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/**
 * Reads the decoded keys of a Notify callback (docs/spec/callbacks.md §3). Pure and
 * total, like parseCallEvent: each refused field named, unknown keys kept in `extra`.
 *
 * @example parseNotify(new Map([['sid', 'x']])) // { ok: false, problems: [...] }
 */
export function parseNotify(values: ReadonlyMap<string, string>): Parsed<Notify> {
  const read = readFields(NOTIFY_FIELDS, values);
  return read.problems.length === 0 ? { ok: true, value: read.facts as unknown as Notify } : { ok: false, problems: read.problems };
}

/**
 * Reads the decoded keys of an Agent Call Status callback (docs/spec/callbacks.md §4):
 * `result` is SUCCESS or FAIL in any case, stored in upper case; `fail_reason` `None`
 * (the documented value on success) is stored as null.
 */
export function parseAgentCallStatus(values: ReadonlyMap<string, string>): Parsed<AgentCallStatus> {
  const read = readFields(AGENT_CALL_STATUS_FIELDS, values);
  const result = read.facts.result;
  if (typeof result === 'string') {
    const upper = result.toUpperCase();
    if (upper === 'SUCCESS' || upper === 'FAIL') read.facts.result = upper;
    else read.problems.push({ field: 'result', problem: "must be 'SUCCESS' or 'FAIL' (in any case)" });
  }
  const failReason = read.facts.fail_reason;
  if (typeof failReason === 'string' && failReason.toLowerCase() === 'none') read.facts.fail_reason = null;
  return read.problems.length === 0
    ? { ok: true, value: read.facts as unknown as AgentCallStatus }
    : { ok: false, problems: read.problems };
}

/**
 * The order-independent text of a Notify or Agent Call Status: two deliveries of one sid
 * are duplicates when it is equal, conflicting versions otherwise (as for Call Events).
 */
export function canonicalizeFacts(facts: Notify | AgentCallStatus, fields: readonly CallFieldSpec[]): string {
  return canonicalizeEvent(facts as unknown as CallEvent, fields);
}

function readFields(fields: readonly CallFieldSpec[], values: ReadonlyMap<string, string>) {
  const reader = new FieldReader(values, new Set(fields.map((f) => f.name)));
  const facts: Record<string, unknown> = {};
  for (const field of fields) {
    const read = readerOf(field);
    facts[field.name] = field.required ? reader.required(field.name, read) : reader.optional(field.name, read);
  }
  facts.extra = reader.extra();
  return { facts, problems: reader.problems };
}
