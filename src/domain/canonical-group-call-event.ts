import { canonicalizeEvent } from './canonical-event.js';
import { contentHashOfText } from './content-hash.js';
import { GROUP_CALL_FIELDS, type GroupCallEvent } from './group-call-event.js';

/**
 * The stable text of a group event's content (docs/spec/callbacks.md §2.3): every field in
 * stored units and every unknown key, whatever order the keys arrived in. Two deliveries
 * of one key are duplicates when it is equal, conflicting versions otherwise.
 */
export function canonicalizeGroupCallEvent(event: GroupCallEvent): string {
  return canonicalizeEvent(event, GROUP_CALL_FIELDS);
}

/** SHA-256 of the canonical form, base64url: stored with the event; duplicates share it. */
export function groupCallEventHashOf(event: GroupCallEvent): string {
  return contentHashOfText(canonicalizeGroupCallEvent(event));
}

/** The fields that identify one group event (docs/spec/callbacks.md §2.3), in key order. */
export const GROUP_EVENT_KEY_FIELDS = ['sid', 'user_svc_id', 'user_id', 'sc', 'msc', 'ts'] as const;

/** One event's identity, as text: equal for two deliveries of the same event, whatever their content. */
export function groupCallEventKeyOf(event: GroupCallEvent): string {
  return JSON.stringify(GROUP_EVENT_KEY_FIELDS.map((name) => event[name]));
}
