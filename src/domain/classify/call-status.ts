import type { EndedBy } from './release-codes.js';

/** The seven outcomes of a call (docs/spec/outcomes.md §1). */
export const OUTCOMES = ['completed', 'dropped', 'canceled', 'rejected', 'busy', 'no_answer', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ENDED_BY_VALUES = ['caller', 'callee', 'server', 'app_server', 'participant', 'unknown'] as const;

/** The field whose code decided the outcome. */
export type ReasonSource = 'disconnect_reason' | 'call_end_reason' | 'terminate';

/** A code field decoded: its number, its name, and what it means. */
export interface DecodedCode {
  code: number;
  name: string;
  meaning: string;
}

/** Two or more signals of one callback that do not agree. Never a reason to refuse it. */
export interface Inconsistency {
  code: string;
  message: string;
}

/** Everything a support engineer needs to know about how a call ended. */
export interface CallStatus {
  outcome: Outcome;
  ended_by: EndedBy;
  /** The decisive code's name, e.g. `NETWORK_UNSTABLE`, or `unknown (1399)`. */
  reason: string;
  reason_source: ReasonSource;
  connected: boolean;
  explanation: string;
  inconsistencies: Inconsistency[];
  decoded: {
    terminate: DecodedCode;
    disconnect_reason: DecodedCode | null;
    call_end_reason: DecodedCode | null;
    releaser_type: DecodedCode | null;
  };
  classifier_version: number;
}
