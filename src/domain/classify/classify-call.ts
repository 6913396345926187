import type { CallEvent } from '../call-event.js';
import type { CallStatus, DecodedCode, Inconsistency, Outcome, ReasonSource } from './call-status.js';
import { explainCall } from './explain-call.js';
import {
  CLASSIFIER_VERSION,
  type CodeInfo,
  DISCONNECT_REASONS,
  DISCONNECT_REASON_ERROR_RANGES,
  type EndedBy,
  LEGACY_CALL_END_REASONS,
  RELEASER_TYPES,
  type ReasonKind,
  TERMINATE_CAUSES,
  unknownCodeName,
} from './release-codes.js';

/** The fields of a call that its status depends on. */
export type ClassifierInput = Pick<
  CallEvent,
  | 'start_time'
  | 'setup_time'
  | 'end_time'
  | 'duration'
  | 'billing_sec'
  | 'terminate'
  | 'disconnect_reason'
  | 'releaser_type'
  | 'call_end_reason'
  | 'releaser'
>;

const UNKNOWN_CODE: CodeInfo = { name: '', kind: 'error', meaning: 'a code this version does not know' };

/**
 * Classifies a call: one outcome, who ended it, the decisive reason, and the signals
 * that disagree (docs/spec/outcomes.md, revision 3). Pure and total: any combination of
 * field values gives a status; nothing here throws.
 *
 * @example classifyCall({ ...call, duration: 45, disconnect_reason: 1301 }).outcome // 'dropped'
 */
export function classifyCall(call: ClassifierInput): CallStatus {
  const connected = isConnected(call);
  const decisive = decisiveCode(call);
  const ended_by = endedByOf(call);
  const kind = decisiveKind(decisive, call.terminate);
  const outcome = outcomeOf(kind, connected, ended_by);
  const reason = decisive.info.name || unknownCodeName(decisive.code);
  const inconsistencies = findInconsistencies(call, { connected, decisive, kind, outcome, ended_by });
  const status: Omit<CallStatus, 'explanation'> = {
    outcome,
    ended_by,
    reason,
    reason_source: decisive.source,
    connected,
    inconsistencies,
    decoded: {
      terminate: decode(TERMINATE_CAUSES, call.terminate),
      disconnect_reason: call.disconnect_reason === null ? null : decode(DISCONNECT_REASONS, call.disconnect_reason),
      call_end_reason: call.call_end_reason === null ? null : decode(LEGACY_CALL_END_REASONS, call.call_end_reason),
      releaser_type: call.releaser_type === null ? null : decodeReleaserType(call.releaser_type),
    },
    classifier_version: CLASSIFIER_VERSION,
  };
  return { ...status, explanation: explainCall(call, status, { kind, meaning: decisive.info.meaning }) };
}

/**
 * Rule 1 (revision 3): connected means evidence of talk time, and only that. Codes never
 * make a call connected: the legacy CALLER_END/CALLEE_END (1004/1005) arrive on calls
 * that never connected (the seed's own example).
 */
export function isConnected(call: ClassifierInput): boolean {
  return call.duration > 0 || (call.billing_sec ?? 0) > 0 || call.start_time > 0;
}

interface Decisive {
  source: ReasonSource;
  code: number;
  info: CodeInfo;
}

/** Rule 2: the most specific code present decides, each decoded with its own table. */
function decisiveCode(call: ClassifierInput): Decisive {
  if (call.disconnect_reason !== null) return lookup('disconnect_reason', DISCONNECT_REASONS, call.disconnect_reason);
  if (call.call_end_reason !== null) return lookup('call_end_reason', LEGACY_CALL_END_REASONS, call.call_end_reason);
  return lookup('terminate', TERMINATE_CAUSES, call.terminate);
}

function lookup(source: ReasonSource, codes: ReadonlyMap<number, CodeInfo>, code: number): Decisive {
  return { source, code, info: codes.get(code) ?? UNKNOWN_CODE };
}

/**
 * The kind of the decisive code. A code no table knows says nothing about what the
 * people did, so terminate decides, unless the code lies in a range that holds only
 * errors (a new error code is still an error).
 */
function decisiveKind(decisive: Decisive, terminate: number): ReasonKind {
  if (decisive.info !== UNKNOWN_CODE) return decisive.info.kind;
  const inErrorRange =
    decisive.source === 'disconnect_reason' &&
    DISCONNECT_REASON_ERROR_RANGES.some(([low, high]) => decisive.code >= low && decisive.code <= high);
  if (inErrorRange || decisive.source === 'terminate') return 'error';
  return TERMINATE_CAUSES.get(terminate)?.kind ?? 'error';
}

const USER_KIND_OUTCOME: Record<Exclude<ReasonKind, 'normal' | 'error'>, Outcome> = {
  cancel: 'canceled',
  reject: 'rejected',
  busy: 'busy',
  no_answer: 'no_answer',
};

/** Rule 3a: a call that never talked but ended "normally" takes its outcome from who ended it. */
const UNCONNECTED_NORMAL_OUTCOME: Partial<Record<EndedBy, Outcome>> = { caller: 'canceled', callee: 'rejected' };

/**
 * Rules 2 and 3a: only a connected call is completed or dropped. An error is a drop when
 * the call talked and a failure when it did not; a user-behaviour reason on a call that
 * talked is completed (it was answered); a normal reason on a call that never talked is
 * decided by who ended it.
 */
export function outcomeOf(kind: ReasonKind, connected: boolean, endedBy: EndedBy): Outcome {
  if (kind === 'error') return connected ? 'dropped' : 'failed';
  if (connected) return 'completed';
  if (kind === 'normal') return UNCONNECTED_NORMAL_OUTCOME[endedBy] ?? 'no_answer';
  return USER_KIND_OUTCOME[kind];
}

function endedByOf(call: ClassifierInput): EndedBy {
  const fromType = call.releaser_type === null ? 'unknown' : (RELEASER_TYPES.get(call.releaser_type)?.endedBy ?? 'unknown');
  if (fromType !== 'unknown') return fromType;
  return endedByLegacyReleaser(call.releaser);
}

function endedByLegacyReleaser(releaser: string | null): EndedBy {
  if (releaser === null || releaser === '') return 'unknown';
  if (releaser === 'initiator') return 'caller';
  if (releaser === 'responder') return 'callee';
  return 'server';
}

function decode(codes: ReadonlyMap<number, CodeInfo>, code: number): DecodedCode {
  const info = codes.get(code);
  return info === undefined
    ? { code, name: unknownCodeName(code), meaning: UNKNOWN_CODE.meaning }
    : { code, name: info.name, meaning: info.meaning };
}

function decodeReleaserType(code: number): DecodedCode {
  const info = RELEASER_TYPES.get(code);
  return info === undefined
    ? { code, name: unknownCodeName(code), meaning: UNKNOWN_CODE.meaning }
    : { code, name: info.name, meaning: `released by ${info.endedBy.replace('_', ' ')}` };
}

interface Verdict {
  connected: boolean;
  decisive: Decisive;
  kind: ReasonKind;
  outcome: Outcome;
  ended_by: EndedBy;
}

function findInconsistencies(call: ClassifierInput, verdict: Verdict): Inconsistency[] {
  const { connected, decisive, kind, outcome, ended_by } = verdict;
  const found: Inconsistency[] = [];
  const add = (code: string, message: string) => found.push({ code, message });
  const named = `${decisive.source}=${decisive.code} (${decisive.info.name || unknownCodeName(decisive.code)})`;
  if (call.terminate === 16 && call.duration === 0) {
    add('terminate_normal_without_duration', 'terminate=16 (normal) but duration=0');
  }
  if (call.duration > 0 && call.terminate !== 16) {
    add('duration_without_normal_terminate', `duration=${call.duration} but terminate=${call.terminate} (16 is expected whenever duration > 0)`);
  }
  if (call.start_time > 0 && call.end_time >= call.start_time && call.duration !== call.end_time - call.start_time) {
    add('duration_mismatch', `duration=${call.duration} but end_time - start_time = ${call.end_time - call.start_time}`);
  }
  if (call.end_time < call.setup_time) add('ends_before_setup', 'end_time is earlier than setup_time');
  if (call.start_time > 0 && call.start_time < call.setup_time) add('starts_before_setup', 'start_time is earlier than setup_time');
  if (call.start_time > 0 && call.end_time < call.start_time) add('ends_before_start', 'end_time is earlier than start_time');
  if (connected && kind !== 'normal' && kind !== 'error') {
    add('user_reason_after_connection', `${named} describes a call that was not answered, but the call has talk time: counted as completed`);
  }
  if (!connected && kind === 'normal') {
    add('normal_reason_without_connection', `${named} is a normal end, but the call has no talk time: counted as ${outcome} (ended by ${ended_by})`);
  }
  if (decisive.info === UNKNOWN_CODE) add('unknown_code', `${decisive.source}=${decisive.code} is not a known code`);
  if (decisive.source !== 'terminate') {
    const byTerminate = TERMINATE_CAUSES.get(call.terminate);
    const suggested = byTerminate === undefined ? undefined : outcomeOf(byTerminate.kind, connected, ended_by);
    if (byTerminate !== undefined && suggested !== outcome) {
      add('terminate_disagrees', `terminate=${call.terminate} (${byTerminate.name}) suggests ${suggested}, but ${decisive.source} decided ${outcome}`);
    }
  }
  if (call.disconnect_reason !== null && call.call_end_reason !== null) {
    const legacy = LEGACY_CALL_END_REASONS.get(call.call_end_reason);
    const suggested = legacy === undefined ? undefined : outcomeOf(legacy.kind, connected, ended_by);
    if (legacy !== undefined && suggested !== outcome) {
      add('legacy_reason_disagrees', `call_end_reason=${call.call_end_reason} (${legacy.name}) suggests ${suggested}, but disconnect_reason decided ${outcome}`);
    }
  }
  const typed = call.releaser_type === null ? 'unknown' : (RELEASER_TYPES.get(call.releaser_type)?.endedBy ?? 'unknown');
  const legacyBy = endedByLegacyReleaser(call.releaser);
  if (typed !== 'unknown' && legacyBy !== 'unknown' && typed !== legacyBy) {
    add('releaser_disagrees', `releaser_type=${call.releaser_type} says ${typed}, but releaser=${call.releaser} says ${legacyBy}`);
  }
  return found;
}
