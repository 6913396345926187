import type { CallFieldSpec } from './call-event.js';

/** Longest agent_type, media_source_type or result accepted, in UTF-8 bytes. */
export const MAX_AGENT_NAME_BYTES = 64;
/** Longest fail_reason accepted, in UTF-8 bytes. */
export const MAX_FAIL_REASON_BYTES = 1024;

/** What an Agent Call Status reports: the server-made call could be placed, or not. */
export type AgentCallResult = 'SUCCESS' | 'FAIL';

/**
 * The fields of an Agent Call Status callback (`agent_call_status_cb_url`,
 * docs/spec/callbacks.md §4), in the order the spec lists them. Every column is text.
 */
export const AGENT_CALL_STATUS_FIELDS = [
  { name: 'sid', kind: 'sid', required: true, column: 'text' },
  /** `AUDIO_CALLER` today; other agents may come, so any short name is kept. */
  { name: 'agent_type', kind: 'text', required: true, column: 'text', maxBytes: MAX_AGENT_NAME_BYTES, lineBreaks: false },
  /** `STORED_SOURCE` today. */
  { name: 'media_source_type', kind: 'text', required: true, column: 'text', maxBytes: MAX_AGENT_NAME_BYTES, lineBreaks: false },
  /** `SUCCESS` or `FAIL` in any case (the docs' own example sends `Success`); stored in upper case. */
  { name: 'result', kind: 'text', required: true, column: 'text', maxBytes: MAX_AGENT_NAME_BYTES, lineBreaks: false },
  /** Why the call could not be placed; the literal `None` (any case) on success is stored as null. */
  { name: 'fail_reason', kind: 'text', required: false, column: 'text', maxBytes: MAX_FAIL_REASON_BYTES, lineBreaks: false },
] as const satisfies readonly CallFieldSpec[];

/** An Agent Call Status callback, parsed and typed (fields: AGENT_CALL_STATUS_FIELDS). */
export interface AgentCallStatus {
  sid: string;
  agent_type: string;
  media_source_type: string;
  result: AgentCallResult;
  /** null when absent or the literal `None`. */
  fail_reason: string | null;
  /** Keys this version does not know; kept verbatim. */
  extra: Record<string, string>;
}
