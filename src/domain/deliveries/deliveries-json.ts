import { type CallbackName, callbackOfPath } from './callback-of-path.js';
import type { ConflictingVersion, Delivery } from './delivery.js';

/** A delivery as JSON, exactly as `GET /api/calls/:sid/deliveries` lists it: received_at as ISO-8601. */
export type DeliveryJson = Omit<Delivery, 'received_at'> & { received_at: string; callback: CallbackName };

/** A conflicting version as JSON, exactly as `GET /api/calls/:sid/conflicts` lists it: received_at as ISO-8601. */
export type ConflictJson = Omit<ConflictingVersion, 'received_at'> & { received_at: string };

/** A delivery as the API shows it: received_at as ISO-8601, everything else as stored. */
export function deliveryToJson(delivery: Delivery): DeliveryJson {
  return { ...delivery, received_at: new Date(delivery.received_at).toISOString(), callback: callbackOfPath(delivery.path) };
}

/** A conflicting version as the API shows it: received_at as ISO-8601, the event under LINE Planet's names. */
export function conflictToJson(conflict: ConflictingVersion): ConflictJson {
  return { ...conflict, received_at: new Date(conflict.received_at).toISOString() };
}
