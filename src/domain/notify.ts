import { type CallFieldSpec, type CallType, MAX_APP_DATA_BYTES } from './call-event.js';

/**
 * Longest `param` accepted, in UTF-8 bytes. LINE Planet documents no bound; the value is
 * an opaque base64 blob for the callee's SDK, and the whole query is bounded to 16 KiB anyway.
 */
export const MAX_PARAM_BYTES = 8192;

/**
 * The fields of a Notify callback (`notify_cb_url`, docs/spec/callbacks.md §3), in the order
 * the spec lists them. Every column is text.
 */
export const NOTIFY_FIELDS = [
  { name: 'sid', kind: 'sid', required: true, column: 'text' },
  { name: 'from_service_id', kind: 'id', required: true, column: 'text' },
  { name: 'from_user_id', kind: 'id', required: true, column: 'text' },
  { name: 'to_service_id', kind: 'id', required: true, column: 'text' },
  { name: 'to_user_id', kind: 'id', required: true, column: 'text' },
  /** `A` audio, `V` video. */
  { name: 'type', kind: 'call-type', required: true, column: 'text' },
  /**
   * Base64 for the callee's app (`cc_param`). Not checked as base64: in a query string a
   * `+` sent unencoded reads as a space, and refusing it would fail the call (1302).
   */
  { name: 'param', kind: 'text', required: true, column: 'text', maxBytes: MAX_PARAM_BYTES, lineBreaks: false },
  { name: 'stid', kind: 'text', required: false, column: 'text', maxBytes: MAX_APP_DATA_BYTES, lineBreaks: true },
  { name: 'app_svr_data', kind: 'text', required: false, column: 'text', maxBytes: MAX_APP_DATA_BYTES, lineBreaks: true },
] as const satisfies readonly CallFieldSpec[];

/** A Notify callback, parsed and typed (fields: NOTIFY_FIELDS). */
export interface Notify {
  sid: string;
  from_service_id: string;
  from_user_id: string;
  to_service_id: string;
  to_user_id: string;
  type: CallType;
  param: string;
  stid: string | null;
  app_svr_data: string | null;
  /** Keys this version does not know; kept verbatim. */
  extra: Record<string, string>;
}
