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
  LEGACY_CONNECTED_CODES,
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
 * that disagree (outcomes-and-kpis.md §1). Pure and total: any combination of field
 * values gives a status; nothing here throws.
 *
 * @example classifyCall({ ...call, duration: 45, disconnect_reason: 1301 }).outcome // 'dropped'
 */
export function classifyCall(call: ClassifierInput): CallStatus {
  const connected = isConnected(call);
  const decisive = decisiveCode(call);
  const outcome = outcomeOf(decisiveKind(decisive, call.terminate), connected, call.terminate);
  const ended_by = endedByOf(call);
  const reason = decisive.info.name || unknownCodeName(decisive.code);
  const inconsistencies = findInconsistencies(call, connected, decisive, outcome);
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
  return { ...status, explanation: explainCall(call, status, decisive.info.meaning) };
}

/** Rule 1: connected means any sign that the parties talked. */
export function isConnected(call: ClassifierInput): boolean {
  return (
    call.duration > 0 ||
    (call.billing_sec ?? 0) > 0 ||
    call.start_time > 0 ||
    (call.call_end_reason !== null && LEGACY_CONNECTED_CODES.has(call.call_end_reason))
  );
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

const KIND_OUTCOME: Record<Exclude<ReasonKind, 'normal' | 'error'>, Outcome> = {
  cancel: 'canceled',
  reject: 'rejected',
  busy: 'busy',
  no_answer: 'no_answer',
};

function outcomeOf(kind: ReasonKind, connected: boolean, terminate: number): Outcome {
  if (kind === 'error') return connected ? 'dropped' : 'failed';
  if (kind !== 'normal') return KIND_OUTCOME[kind];
  if (connected) return 'completed';
  // A normal release of a call that never connected: terminate tells what the people did.
  const terminateKind = TERMINATE_CAUSES.get(terminate)?.kind;
  if (terminateKind === undefined || terminateKind === 'normal') return 'completed';
  return outcomeOf(terminateKind, false, terminate);
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

function findInconsistencies(
  call: ClassifierInput,
  connected: boolean,
  decisive: Decisive,
  outcome: Outcome,
): Inconsistency[] {
  const found: Inconsistency[] = [];
  const add = (code: string, message: string) => found.push({ code, message });
  if (call.terminate === 16 && call.duration === 0) {
    add('terminate_normal_without_duration', 'terminate=16 (normal) but duration=0');
  }
  if (call.duration > 0 && call.terminate !== 16) {
    add('duration_without_normal_terminate', `duration=${call.duration} but terminate=${call.terminate} (16 is expected whenever duration > 0)`);
  }
  if (call.call_end_reason !== null && LEGACY_CONNECTED_CODES.has(call.call_end_reason) && call.duration === 0 && call.start_time === 0) {
    add('legacy_connected_without_start', `call_end_reason=${call.call_end_reason} says the call was connected, but start_time=0 and duration=0`);
  }
  if (call.start_time > 0 && call.end_time >= call.start_time && call.duration !== call.end_time - call.start_time) {
    add('duration_mismatch', `duration=${call.duration} but end_time - start_time = ${call.end_time - call.start_time}`);
  }
  if (call.end_time < call.setup_time) add('ends_before_setup', 'end_time is earlier than setup_time');
  if (call.start_time > 0 && call.start_time < call.setup_time) add('starts_before_setup', 'start_time is earlier than setup_time');
  if (call.start_time > 0 && call.end_time < call.start_time) add('ends_before_start', 'end_time is earlier than start_time');
  if (connected && decisive.info.kind !== 'normal' && decisive.info.kind !== 'error') {
    add('user_reason_on_connected_call', `${decisive.source}=${decisive.code} (${decisive.info.name}) describes a call that never connected, but the call was connected`);
  }
  if (!connected && decisive.info.kind === 'normal' && decisive.source !== 'terminate') {
    add('normal_reason_without_connection', `${decisive.source}=${decisive.code} (${decisive.info.name}) is a normal end, but the call never connected`);
  }
  if (decisive.info === UNKNOWN_CODE) add('unknown_code', `${decisive.source}=${decisive.code} is not a known code`);
  if (decisive.source !== 'terminate') {
    const byTerminate = TERMINATE_CAUSES.get(call.terminate);
    if (byTerminate !== undefined && outcomeOf(byTerminate.kind, connected, call.terminate) !== outcome) {
      add('terminate_disagrees', `terminate=${call.terminate} (${byTerminate.name}) suggests ${outcomeOf(byTerminate.kind, connected, call.terminate)}, but ${decisive.source} decided ${outcome}`);
    }
  }
  if (call.disconnect_reason !== null && call.call_end_reason !== null) {
    const legacy = LEGACY_CALL_END_REASONS.get(call.call_end_reason);
    if (legacy !== undefined && outcomeOf(legacy.kind, connected, call.terminate) !== outcome) {
      add('legacy_reason_disagrees', `call_end_reason=${call.call_end_reason} (${legacy.name}) suggests ${outcomeOf(legacy.kind, connected, call.terminate)}, but disconnect_reason decided ${outcome}`);
    }
  }
  const typed = call.releaser_type === null ? 'unknown' : (RELEASER_TYPES.get(call.releaser_type)?.endedBy ?? 'unknown');
  const legacyBy = endedByLegacyReleaser(call.releaser);
  if (typed !== 'unknown' && legacyBy !== 'unknown' && typed !== legacyBy) {
    add('releaser_disagrees', `releaser_type=${call.releaser_type} says ${typed}, but releaser=${call.releaser} says ${legacyBy}`);
  }
  return found;
}
