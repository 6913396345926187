import type { CallStore, EndDeadline } from './storage/port.js';

/** How often the server looks for notified calls newly past CALL_EVENT_DEADLINE, in ms. */
export const END_MISSING_SWEEP_INTERVAL_MS = 10_000;

/** The end_missing sweep of a running server (docs/spec/outcomes.md §3.2). */
export interface EndMissingSweeper {
  /**
   * Sweeps now, or joins the sweep already running; resolves with how many notifies that
   * sweep flagged (0 if it failed: the next one tries again).
   */
  sweep(): Promise<number>;
  /** Notifies this process ever flagged (the Prometheus counter's source). */
  readonly flaggedTotal: number;
  stop(): Promise<void>;
}

/**
 * Flags notified calls past their deadline every `intervalMs`, so that the end_missing
 * list, the lifecycle statistics and the Prometheus counter stay current whether or not
 * anything scrapes /metrics (a scrape also sweeps first, so that what it reports is
 * current). Never two sweeps at once; each sweep runs in short paced transactions
 * (CallStore.flagEndMissing), so ingest keeps going while it works through a backlog.
 */
export function startEndMissingSweeper(
  store: Pick<CallStore, 'flagEndMissing'>,
  deadline: () => EndDeadline,
  options: { logger: { warn(details: object, message: string): void }; intervalMs?: number },
): EndMissingSweeper {
  let running: Promise<number> | null = null;
  let flaggedTotal = 0;
  const sweep = (): Promise<number> => {
    running ??= (async () => {
      try {
        const flagged = await store.flagEndMissing(deadline());
        flaggedTotal += flagged;
        return flagged;
      } catch (error) {
        options.logger.warn({ err: error }, 'the end_missing sweep failed; it runs again at the next interval');
        return 0;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void sweep(), options.intervalMs ?? END_MISSING_SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    sweep,
    get flaggedTotal() {
      return flaggedTotal;
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
