import type { Logger } from 'pino';
import type { RetentionSettings } from './config/retention-settings.js';
import { retentionConfigured } from './domain/privacy/retention-policy.js';
import type { CallStore, RetentionReport } from './storage/port.js';

/** A running retention job: stop() aborts between batches and waits for the current one. */
export interface RetentionJob {
  /** Runs once now (tests, and the first run after start). */
  runOnce(): Promise<RetentionReport | null>;
  stop(): Promise<void>;
}

/**
 * Applies the configured retention every `intervalMinutes`, starting one interval after
 * start, never two runs at once. Each batch is one short transaction and the event loop
 * runs between batches (apply-retention.ts), so ingest keeps going during a run.
 * Null when the settings keep everything.
 */
export function startRetentionJob(
  store: CallStore,
  settings: RetentionSettings,
  options: { logger: Logger; now?: () => number },
): RetentionJob | null {
  if (!retentionConfigured(settings.policy)) return null;
  const now = options.now ?? Date.now;
  const abort = new AbortController();
  let running: Promise<RetentionReport | null> | null = null;
  const runOnce = (): Promise<RetentionReport | null> => {
    running ??= (async () => {
      const started = Date.now();
      try {
        const report = await store.applyRetention({ policy: settings.policy, now: now(), batchSize: settings.batchRows, signal: abort.signal });
        options.logger.info({ removed: report.removed, ipsTruncated: report.ipsTruncated, ms: Date.now() - started, longestBatchMs: Math.round(report.longestBatchMs) }, 'retention applied');
        return report;
      } catch (error) {
        options.logger.error({ err: error }, 'retention failed; it runs again at the next interval');
        return null;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void runOnce(), settings.intervalMinutes * 60_000);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
