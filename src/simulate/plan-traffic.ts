import type { CallEvent } from '../domain/call-event.js';
import { callbackValues, shufflePairs, toQueryString } from './callback-query.js';
import { generateCall, type SimulatedCall } from './generate-call.js';
import { malformCallback, type MalformedCallback } from './malform-callback.js';
import { createRandom } from './random.js';
import type { TrafficOptions } from './traffic-options.js';

/** One request to send. Re-deliveries go out only after the original was acknowledged. */
export interface Delivery {
  query: string;
  role: 'original' | 'duplicate' | 'conflict';
}

/** What the simulator does next: a call (its deliveries), or one malformed request. */
export type PlannedItem =
  | { kind: 'call'; call: SimulatedCall; deliveries: [Delivery, ...Delivery[]] }
  | { kind: 'malformed'; malformed: MalformedCallback };

/**
 * The traffic, as an endless sequence: pure and deterministic, so that the same options
 * (seed and epoch included) always plan the same requests in the same order.
 *
 * @example const first = planTraffic({ ...DEFAULT_TRAFFIC, seed: '1', epoch: 1_800_000_000 }).next().value
 */
export function* planTraffic(options: TrafficOptions): Generator<PlannedItem, never, void> {
  const random = createRandom(options.seed);
  for (;;) {
    const call = generateCall(random, options);
    if (random.chance(options.malformedShare)) {
      yield { kind: 'malformed', malformed: malformCallback(random, call.event) };
      continue;
    }
    const pairs = callbackValues(call.event);
    const deliveries: [Delivery, ...Delivery[]] = [{ query: toQueryString(pairs), role: 'original' }];
    const r = random.next();
    if (r < options.duplicateShare) {
      const again = random.chance(0.5) ? shufflePairs(random, pairs) : pairs;
      deliveries.push({ query: toQueryString(again), role: 'duplicate' });
    } else if (r < options.duplicateShare + options.conflictShare) {
      deliveries.push({ query: toQueryString(callbackValues(conflictingVersion(call.event))), role: 'conflict' });
    }
    yield { kind: 'call', call, deliveries };
  }
}

/**
 * A second, different report of the same call (same sid), as a buggy or retried
 * sender might produce: the call ends one second later. callevt must keep the first.
 */
export function conflictingVersion(event: CallEvent): CallEvent {
  const connected = event.start_time > 0;
  return {
    ...event,
    end_time: event.end_time + 1,
    duration: connected ? event.duration + 1 : event.duration,
    billing_sec: connected && event.billing_sec !== null ? event.billing_sec + 1 : event.billing_sec,
  };
}
