import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { RelayItem, RelayOutbox, RelaySettlement } from '../storage/port.js';
import { relayRetryDelayMs } from './relay-backoff.js';
import { type RelayAttempt, type RelayTarget, sendRelayRequest } from './send-relay-request.js';

/** How long a lease outlasts the attempt's timeout, in milliseconds: room to settle after the answer. */
export const RELAY_LEASE_MARGIN_MS = 2_000;
/**
 * After a batch smaller than RELAY_CONCURRENCY, how long the worker lets new items gather
 * before it leases again, in milliseconds: under load each lease then carries many items
 * instead of the one or two of the last commit (two outbox writes per batch, not per item).
 */
export const RELAY_GATHER_MS = 10;
/** How often an idle worker looks for due items (other receivers' items, backoffs that ended), in milliseconds. */
export const DEFAULT_RELAY_POLL_MS = 500;

/** The relay's settings (from CALL_EVENT_RELAY_URL and RELAY_*). */
export interface RelaySettings extends RelayTarget {
  /** Attempts before an item becomes a dead letter. */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Items sent at once (each of a different sid). */
  concurrency: number;
}

/** What one attempt came to, for metrics. */
export type RelayAttemptResult = 'delivered' | 'retry' | 'dead';

export interface RelayWorkerOptions {
  outbox: RelayOutbox;
  settings: RelaySettings;
  /** The clock, Unix ms (tests pass their own). */
  now?: () => number;
  pollMs?: number;
  logger: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  onAttempt?: (result: RelayAttemptResult, seconds: number) => void;
}

/**
 * What a failed attempt leads to: another attempt after the backoff, or the dead-letter
 * list once `attempts` reached the cap.
 */
export function settlementAfterFailure(item: RelayItem, error: string, now: number, settings: RelaySettings): RelaySettlement {
  if (item.attempts >= settings.maxAttempts) return { id: item.id, outcome: 'dead', error };
  return { id: item.id, outcome: 'retry', error, nextAttemptAt: now + relayRetryDelayMs(item.attempts, settings.backoffBaseMs, settings.backoffMaxMs) };
}

/**
 * Delivers the outbox to the app: leases due items (at most `concurrency`, one per sid),
 * sends them at once, settles them in one transaction, and again; idle, it waits for wake()
 * or the poll interval. Delivery is at least once: a crash between the app's answer and the
 * settlement repeats the item (same webhook-id) after its lease expires.
 */
export class RelayWorker {
  /** This worker's lease owner name, unique per process start. */
  readonly owner = `relay-${randomUUID()}`;
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private failures = 0;

  constructor(private readonly options: RelayWorkerOptions) {
    this.now = options.now ?? Date.now;
    this.pollMs = options.pollMs ?? DEFAULT_RELAY_POLL_MS;
    // Every attempt in flight listens for the stop: up to RELAY_CONCURRENCY at once.
    setMaxListeners(options.settings.concurrency + 10, this.stopping.signal);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New items were committed: look now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops leasing; attempts in flight are cut short and put back in line at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { outbox, settings, logger } = this.options;
    while (!this.stopping.signal.aborted) {
      this.woken = false;
      let items: RelayItem[];
      try {
        const now = this.now();
        items = await outbox.lease({ owner: this.owner, now, leaseMs: settings.timeoutMs + RELAY_LEASE_MARGIN_MS, limit: settings.concurrency });
        this.failures = 0;
      } catch (error) {
        // The database is unavailable (or not open yet): the outbox waits there, nothing is lost.
        if (this.failures++ % 20 === 0) logger.warn({ err: { message: (error as Error).message } }, 'the relay cannot read its outbox; retrying');
        await this.idle();
        continue;
      }
      if (items.length === 0) {
        await this.idle();
        continue;
      }
      const settlements = await Promise.all(items.map((item) => this.attempt(item)));
      try {
        await outbox.settle(this.owner, settlements, this.now());
      } catch (error) {
        // Unsettled rows keep their leases; they are sent again once those expire (at least once).
        logger.error({ err: { message: (error as Error).message }, items: items.length }, 'the relay could not record its attempts; they will be repeated');
        await this.idle();
        continue;
      }
      if (items.length < settings.concurrency && !this.stopping.signal.aborted) await new Promise((resolve) => setTimeout(resolve, RELAY_GATHER_MS));
    }
  }

  private async attempt(item: RelayItem): Promise<RelaySettlement> {
    const { settings, onAttempt, logger } = this.options;
    const started = process.hrtime.bigint();
    const attempt: RelayAttempt = await sendRelayRequest(item, settings, this.now(), this.stopping.signal);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (attempt.ok) {
      onAttempt?.('delivered', seconds);
      return { id: item.id, outcome: 'delivered' };
    }
    // Cut short by a shutdown: not the app's fault, so due again at once (the attempt still counts).
    if (this.stopping.signal.aborted) return { id: item.id, outcome: 'retry', error: attempt.error, nextAttemptAt: this.now() };
    const settlement = settlementAfterFailure(item, attempt.error, this.now(), settings);
    onAttempt?.(settlement.outcome === 'dead' ? 'dead' : 'retry', seconds);
    if (settlement.outcome === 'dead') {
      logger.error({ relayId: item.id, sid: item.sid, attempts: item.attempts, error: attempt.error }, 'relay gave up on a delivery: it is in the dead-letter list');
    }
    return settlement;
  }

  /** Waits for wake(), stop() or the poll interval. */
  private idle(): Promise<void> {
    if (this.woken || this.stopping.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}
