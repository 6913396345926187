import { type CallbackName, callbackOfPath } from '../deliveries/callback-of-path.js';

/** One moment of a call's life: a delivery of any callback, or a relay attempt of its Notify. */
export interface TimelineEntry {
  /** Unix milliseconds. */
  at: number;
  event: 'delivery' | 'notify_relay';
  /** One line for a person. */
  summary: string;
  callback?: CallbackName;
  result?: string;
  raw_request_id?: number;
  outcome?: string;
  status?: number | null;
  latency_ms?: number;
}

const CALLBACK_NAMES: Record<CallbackName, string> = { 'call-event': 'Call Event', notify: 'Notify', 'agent-call-status': 'Agent Call Status' };

/**
 * A sid's deliveries and relay attempts in time order; at the same millisecond a delivery
 * comes before the relay it caused.
 */
export function buildTimeline(
  deliveries: ReadonlyArray<{ id: number; received_at: number; path: string; result: string }>,
  relays: ReadonlyArray<{ attempted_at: number; outcome: string; status: number | null; latency_ms: number }>,
): TimelineEntry[] {
  const entries: TimelineEntry[] = deliveries.map((d) => {
    const callback = callbackOfPath(d.path);
    return { at: d.received_at, event: 'delivery', callback, result: d.result, raw_request_id: d.id, summary: `${CALLBACK_NAMES[callback]} received (${d.result})` };
  });
  for (const r of relays) {
    const answer = r.status === null ? r.outcome.replace('_', ' ') : `${r.outcome.replace('_', ' ')}, HTTP ${r.status}`;
    entries.push({ at: r.attempted_at, event: 'notify_relay', outcome: r.outcome, status: r.status, latency_ms: r.latency_ms, summary: `Notify relayed to the push handler: ${answer} in ${r.latency_ms} ms` });
  }
  // Array.prototype.sort is stable: deliveries (listed first) stay before relays of the same instant.
  return entries.sort((a, b) => a.at - b.at);
}
