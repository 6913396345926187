import { createRandom } from '../random.js';
import type { PushHandlerShares } from './lifecycle-options.js';

/** What the stand-in push handler does with one Notify. */
export type PushHandlerChoice = 'take' | 'refuse' | 'stall';

/** The relay outcome callevt must record for each choice (docs/api.md, the Notify relay). */
export const RELAY_OUTCOME_OF: Readonly<Record<PushHandlerChoice, 'ok' | 'http_error' | 'timeout'>> = {
  take: 'ok',
  refuse: 'http_error',
  stall: 'timeout',
};

/**
 * The stand-in handler's choice for a sid: drawn from the run's seed and the sid alone,
 * so that the simulator (writing the truth) and the handler (answering callevt) agree
 * without talking to each other.
 *
 * @example choosePushHandling('demo', '6364e8b3-bdac-436e-9631-0bce2498ce0c', { refuseShare: 0.1, stallShare: 0.1 })
 */
export function choosePushHandling(seed: string, sid: string, shares: PushHandlerShares): PushHandlerChoice {
  const r = createRandom(`${seed}/push-handler/${sid.toLowerCase()}`).next();
  if (r < shares.refuseShare) return 'refuse';
  if (r < shares.refuseShare + shares.stallShare) return 'stall';
  return 'take';
}
