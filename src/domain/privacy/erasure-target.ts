import { MAX_ID_BYTES } from '../call-event.js';
import { utf8ByteLength } from '../utf8-byte-length.js';

/** Whose data an erasure removes: one user of one service (docs/operations.md, "Erasing a person"). */
export interface ErasureTarget {
  serviceId: string;
  userId: string;
}

/** Which side of a call a target is on: the caller (`from_*`, srcip) or the callee (`to_*`, dstip). */
export const CALL_SIDES = [
  { side: 'from', service: 'from_service_id', user: 'from_user_id', ip: 'srcip' },
  { side: 'to', service: 'to_service_id', user: 'to_user_id', ip: 'dstip' },
] as const;

/** Keys of a Call Event that may hold personal data whatever side they are on (the app's own data). */
export const APP_DATA_KEYS = ['app_svr_data'] as const;

/**
 * Reads `SERVICE:USER` (split at the first colon; a service id holds no colon in practice),
 * both non-empty, each at most MAX_ID_BYTES and free of control characters.
 *
 * @example parseErasureTarget('svc:alice') // { serviceId: 'svc', userId: 'alice' }
 */
export function parseErasureTarget(text: string): ErasureTarget {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new Error(`the user must be SERVICE:USER, both non-empty (got "${text}")`);
  return erasureTarget(text.slice(0, colon), text.slice(colon + 1));
}

/** Checks both parts of a target as the callback parser checks ids; throws with the reason. */
export function erasureTarget(serviceId: string, userId: string): ErasureTarget {
  for (const [name, value] of [['service id', serviceId], ['user id', userId]] as const) {
    if (value === '') throw new Error(`the ${name} must not be empty`);
    if (utf8ByteLength(value) > MAX_ID_BYTES) throw new Error(`the ${name} must be at most ${MAX_ID_BYTES} bytes`);
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`the ${name} must not contain control characters`);
  }
  return { serviceId, userId };
}

/** Whether one side of a record (a map of Call Event keys) names the target: same user, same or missing service. */
export function sideNamesTarget(get: (key: string) => unknown, side: (typeof CALL_SIDES)[number], target: ErasureTarget): boolean {
  if (get(side.user) !== target.userId) return false;
  const service = get(side.service);
  return service === target.serviceId || service === undefined || service === null || service === '';
}

/** The users a Group Call Event names (docs/spec/callbacks.md §2.1): the participant and the room's host. */
export const GROUP_USER_SIDES = [
  { service: 'user_svc_id', user: 'user_id' },
  { service: 'host_svc_id', user: 'host_id' },
] as const;

/** A group event's keys that erasure removes with its participant: what the app or the user wrote. */
export const GROUP_PARTICIPANT_DATA_KEYS = ['stid', 'app_svr_data', 'display_name'] as const;

/** The sides of a group event (a map of its keys) that name the target: same user, same service. */
export function groupSidesNamingTarget(get: (key: string) => unknown, target: ErasureTarget): Array<(typeof GROUP_USER_SIDES)[number]> {
  return GROUP_USER_SIDES.filter((side) => get(side.user) === target.userId && get(side.service) === target.serviceId);
}
