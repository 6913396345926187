import { classifyCall } from '../domain/classify/classify-call.js';
import type { FieldProblem } from '../domain/call-event.js';
import { parseCallEvent } from '../domain/parse-call-event.js';
import type { CallbackRecord, RawRequest } from '../storage/port.js';
import { contentHashOf, contentHashOfText } from '../domain/content-hash.js';
import { AGENT_CALL_STATUS_FIELDS, type AgentCallStatus } from '../domain/agent-call-status.js';
import { type Notify, NOTIFY_FIELDS } from '../domain/notify.js';
import { canonicalizeFacts, parseAgentCallStatus, parseNotify } from '../domain/parse-keyed-callback.js';
import { parseGroupCallEvent } from '../domain/parse-group-call-event.js';
import { canonicalizeGroupCallEvent } from '../domain/canonical-group-call-event.js';

/**
 * Turns one raw delivery plus its decoded keys (and any decoding problems) into the
 * record the store keeps: a classified event with its content hash, or a malformed
 * request with every reason.
 */
export function toCallbackRecord(
  raw: RawRequest,
  values: ReadonlyMap<string, string>,
  decodingProblems: readonly FieldProblem[],
): CallbackRecord {
  const parsed = parseCallEvent(values);
  if (!parsed.ok || decodingProblems.length > 0) {
    // A key that could not be decoded is reported once, for why, not again as "is required".
    const undecodable = new Set(decodingProblems.map((p) => p.field));
    const parseProblems = parsed.ok ? [] : parsed.problems.filter((p) => !undecodable.has(p.field));
    const problems = [...decodingProblems, ...parseProblems];
    return { raw, kind: 'malformed', problems, sid: values.get('sid') ?? null };
  }
  const event = parsed.event;
  const status = classifyCall(event);
  return {
    raw,
    kind: 'event',
    event,
    contentHash: contentHashOf(event),
    classification: {
      outcome: status.outcome,
      ended_by: status.ended_by,
      reason: status.reason,
      reason_source: status.reason_source,
      classifier_version: status.classifier_version,
    },
  };
}

/** A malformed record for a request refused before its keys could be read (too large, bad body). */
export function malformedRecord(raw: RawRequest, problems: FieldProblem[]): CallbackRecord {
  return { raw, kind: 'malformed', problems, sid: null };
}

/** The callbacks received besides the Call Event, by the last segment of their path. */
export type KeyedCallbackKind = 'notify' | 'agent-call-status';

/**
 * Like toCallbackRecord, for a Notify or an Agent Call Status: a pure function of the
 * raw request's decoded keys, so that a rebuild from raw_requests reaches the same record.
 */
export function toKeyedCallbackRecord(
  kind: KeyedCallbackKind,
  raw: RawRequest,
  values: ReadonlyMap<string, string>,
  decodingProblems: readonly FieldProblem[],
): CallbackRecord {
  const parsed = kind === 'notify' ? parseNotify(values) : parseAgentCallStatus(values);
  if (!parsed.ok || decodingProblems.length > 0) {
    const undecodable = new Set(decodingProblems.map((p) => p.field));
    const parseProblems = parsed.ok ? [] : parsed.problems.filter((p) => !undecodable.has(p.field));
    return { raw, kind: 'malformed', problems: [...decodingProblems, ...parseProblems], sid: values.get('sid') ?? null };
  }
  if (kind === 'notify') {
    const notify = parsed.value as Notify;
    const content = canonicalizeFacts(notify, NOTIFY_FIELDS);
    return { raw, kind, notify, content, contentHash: contentHashOfText(content) };
  }
  const agentCallStatus = parsed.value as AgentCallStatus;
  const content = canonicalizeFacts(agentCallStatus, AGENT_CALL_STATUS_FIELDS);
  return { raw, kind, agentCallStatus, content, contentHash: contentHashOfText(content) };
}

/**
 * Like toCallbackRecord, for a Group Call Event (docs/spec/callbacks.md §2): both shapes of
 * times and either spelling of media_type give one stored event, with the hash of its
 * canonical form; a pure function of the decoded keys, as rebuild from raw_requests needs.
 */
export function toGroupCallEventRecord(raw: RawRequest, values: ReadonlyMap<string, string>, decodingProblems: readonly FieldProblem[]): CallbackRecord {
  const parsed = parseGroupCallEvent(values);
  if (!parsed.ok || decodingProblems.length > 0) {
    const undecodable = new Set(decodingProblems.map((p) => p.field));
    const parseProblems = parsed.ok ? [] : parsed.problems.filter((p) => !undecodable.has(p.field));
    return { raw, kind: 'malformed', problems: [...decodingProblems, ...parseProblems], sid: values.get('sid') ?? null };
  }
  const content = canonicalizeGroupCallEvent(parsed.value);
  return { raw, kind: 'group-call-event', groupEvent: parsed.value, content, contentHash: contentHashOfText(content) };
}
