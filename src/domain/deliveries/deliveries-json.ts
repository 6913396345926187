import type { ConflictingVersion, Delivery } from '../../storage/port.js';

/** A delivery as the API shows it: received_at as ISO-8601, everything else as stored. */
export function deliveryToJson(delivery: Delivery): Record<string, unknown> {
  return { ...delivery, received_at: new Date(delivery.received_at).toISOString() };
}

/** A conflicting version as the API shows it: received_at as ISO-8601, the event under LINE Planet's names. */
export function conflictToJson(conflict: ConflictingVersion): Record<string, unknown> {
  return { ...conflict, received_at: new Date(conflict.received_at).toISOString() };
}
