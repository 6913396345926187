import type { DeliveryAnswer, Transport } from './http-transport.js';
import type { SendStats } from './send-stats.js';

/** The wait before retry N (1-based), in milliseconds; later retries wait as long as the last. */
const RETRY_BACKOFF_MS = [50, 200, 1_000];

/**
 * Sends one query as a retrying sender does: an answer of 5xx or 429, or none, is tried
 * again up to `retries` times. Every attempt is booked in `stats`. Null when the last
 * attempt got no answer.
 */
export async function deliverWithRetries(send: Transport, query: string, retries: number, stats: SendStats, now: () => number): Promise<DeliveryAnswer | null> {
  for (let attempt = 0; ; attempt++) {
    const t0 = now();
    let answer: DeliveryAnswer | null = null;
    try {
      answer = await send(query);
      stats.recordAnswer(answer.status, answer.result, now() - t0);
    } catch (error) {
      stats.recordError(error);
    }
    const retryable = answer === null || answer.status >= 500 || answer.status === 429;
    if (!retryable || attempt >= retries) return answer;
    stats.retries++;
    await sleep(RETRY_BACKOFF_MS[attempt] ?? RETRY_BACKOFF_MS.at(-1) ?? 1_000);
  }
}

/**
 * Paces requests shared by many workers to `ratePerSec` over all of them: each call
 * waits for its slot. Null rate: no wait, as fast as the target answers.
 */
export function createPacer(ratePerSec: number | null, now: () => number): () => Promise<void> {
  let nextSlot = now();
  return async () => {
    if (ratePerSec === null) return;
    const slot = Math.max(now(), nextSlot);
    nextSlot = slot + 1000 / ratePerSec;
    const wait = slot - now();
    if (wait >= 1) await sleep(wait);
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
