import { classifyCall } from '../domain/classify/classify-call.js';
import type { FieldProblem } from '../domain/call-event.js';
import { parseCallEvent } from '../domain/parse-call-event.js';
import type { CallbackRecord, RawRequest } from '../storage/port.js';
import { contentHashOf } from '../domain/content-hash.js';

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
