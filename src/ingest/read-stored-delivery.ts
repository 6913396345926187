import type { RawRequest } from '../storage/port.js';
import { type ReadDelivery, readCallEventRequest, readGroupCallEventRequest, readKeyedCallbackRequest } from './read-callback-request.js';

/**
 * The one place that maps a stored raw request's path to the reader of its kind of
 * callback (replay and rebuild dispatch through it). A new callback endpoint adds its
 * path's last segment and reader here. The path is stored with any secret segment
 * replaced by `[secret]`, so only its last segment is compared.
 */
const READERS_BY_ENDPOINT: Readonly<Record<string, (raw: RawRequest) => ReadDelivery>> = {
  'call-event': readCallEventRequest,
  notify: (raw) => readKeyedCallbackRequest('notify', raw),
  'agent-call-status': (raw) => readKeyedCallbackRequest('agent-call-status', raw),
  'group-call-event': readGroupCallEventRequest,
};

/** The record a stored raw request gives, or null when no reader knows its path (kept as it is). */
export function readStoredDelivery(raw: RawRequest): ReadDelivery | null {
  const endpoint = raw.path.slice(raw.path.lastIndexOf('/') + 1);
  const reader = Object.hasOwn(READERS_BY_ENDPOINT, endpoint) ? READERS_BY_ENDPOINT[endpoint] : undefined;
  return reader === undefined ? null : reader(raw);
}
