import type { Logger } from 'pino';
import type { CallbackRecord, CallStore, RecordResult, SpoolStatus } from '../port.js';

export type { SpoolStatus };
import { isDatabaseUnavailable } from '../database-unavailable.js';
import { type SpooledRecord, type SpoolFile, spooledSid } from './spool-file.js';
import { backoffDelay, summarizeError } from './retry.js';
import { newPseudonym } from '../sql/erase-user.js';
import { eraseTargetFromRecord } from './erase-spooled-record.js';

/** Records moved into the database per replay transaction. */
export const DEFAULT_REPLAY_BATCH = 512;
/** First wait after a failed replay, in milliseconds; doubled after each failure. */
export const DEFAULT_REPLAY_MIN_BACKOFF_MS = 250;
/** Longest wait between replay attempts while the database stays down, in milliseconds. */
export const DEFAULT_REPLAY_MAX_BACKOFF_MS = 5_000;
/** While replays keep failing, one warning per this many failures (the first is always logged). */
const LOG_EVERY_FAILURES = 20;


/** A CallStore whose commits fall back to a local spool while the database is unavailable. */
export interface SpoolingStore extends CallStore {
  readonly spool: SpoolStatus;
}

export interface SpoolingOptions {
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  replayBatch?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Wraps a store (PostgreSQL): a batch the database cannot take because it is unavailable
 * is appended to the spool file (fsynced) and answered `spooled`; a background replayer
 * moves spooled records into the database oldest first through the same recordCallbacks,
 * deleting them only after the database committed them. While the spool holds anything,
 * new batches join it at the back, so they never overtake older deliveries of a sid.
 * Any other error (a constraint, a bad value) is thrown as before.
 *
 * @example const store = createSpoolingStore(await createPostgresStore(url), openSpoolFile(file), { logger });
 */
export function createSpoolingStore(inner: CallStore, spool: SpoolFile, options: SpoolingOptions): SpoolingStore {
  const { logger } = options;
  const listeners: Array<(records: readonly CallbackRecord[], results: readonly RecordResult[]) => void> = [];
  const replayer = new Replayer(inner, spool, options, (records, results) => {
    for (const listener of listeners) listener(records, results);
  });
  let closed = false;
  if (spool.size > 0) {
    logger.warn({ spoolFile: spool.file, pending: spool.size }, 'the spool holds callbacks from before: replaying them into the database');
    replayer.wake();
  }

  return {
    ...inner,
    spool: {
      get pending() {
        return spool.size;
      },
      get held() {
        return spool.held;
      },
      onReplayed(listener) {
        listeners.push(listener);
      },
    },
    async recordCallbacks(records, onCommitted) {
      if (spool.size === 0) {
        try {
          return await inner.recordCallbacks(records, onCommitted);
        } catch (error) {
          if (closed || !isDatabaseUnavailable(error)) throw error;
          // Another batch may have started spooling while this one waited for the database.
          if (spool.size === 0) {
            logger.warn({ err: summarizeError(error), spoolFile: spool.file }, 'the database is unavailable: callbacks go to the local spool');
          }
        }
      }
      if (closed) throw new Error('the spooling store is closed');
      spool.append(records);
      replayer.wake();
      return records.map(() => 'spooled' as const);
    },
    async eraseUser(request) {
      // The spool first, then the records a replay already read reach the database, then the database:
      // no copy of the user can slip from the spool into the database behind the erasure.
      const pseudonym = request.pseudonym ?? newPseudonym();
      const spooled = spool.rewriteRecords((record) => eraseTargetFromRecord(record, request.target, pseudonym));
      await replayer.settled();
      const receipt = await inner.eraseUser({ ...request, pseudonym });
      return { ...receipt, touched: { ...receipt.touched, spool: spooled } };
    },
    async close() {
      if (closed) return;
      closed = true;
      await replayer.stop();
      spool.close();
      await inner.close();
    },
  };
}

/** Moves spooled records into the database, one run at a time, backing off while it is down. */
class Replayer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private failures = 0;
  private replayed = 0;
  private readonly batch: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private readonly inner: CallStore,
    private readonly spool: SpoolFile,
    private readonly options: SpoolingOptions,
    private readonly onReplayed: (records: readonly CallbackRecord[], results: readonly RecordResult[]) => void,
  ) {
    this.batch = options.replayBatch ?? DEFAULT_REPLAY_BATCH;
    this.minBackoffMs = options.minBackoffMs ?? DEFAULT_REPLAY_MIN_BACKOFF_MS;
    this.maxBackoffMs = options.maxBackoffMs ?? DEFAULT_REPLAY_MAX_BACKOFF_MS;
  }

  /** Resolves when the run in progress, if any, has ended. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** Starts a run now unless one is running or already scheduled (then that one will see the new records). */
  wake(): void {
    if (this.stopped || this.running !== null || this.timer !== null) return;
    this.schedule(0);
  }

  /** No new runs; waits for the current one (its batch is either committed and deleted, or left in the spool). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.run()
        .catch((error: unknown) => {
          // The spool file itself failed (disk): keep trying, slowly, rather than stop for good.
          this.options.logger.error({ err: summarizeError(error) }, 'replaying the spool failed');
          if (!this.stopped) this.schedule(this.maxBackoffMs);
        })
        .finally(() => {
          this.running = null;
        });
    }, delayMs);
  }

  private async run(): Promise<void> {
    const { logger } = this.options;
    while (!this.stopped) {
      const batch = this.spool.readOldest(this.batch);
      if (batch.length === 0) {
        if (this.replayed > 0) {
          logger.info({ replayed: this.replayed }, 'the spool is empty: callbacks go straight to the database again');
        }
        this.replayed = 0;
        return;
      }
      const records = batch.map((b) => b.record);
      let results: RecordResult[];
      try {
        results = await this.inner.recordCallbacks(records);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) {
          // A record the database refuses whatever happens: find it, hold it, go on with the rest.
          if (!(await this.replayOneByOne(batch))) return;
          continue;
        }
        this.backOff(error);
        return;
      }
      this.replayed += batch.length;
      this.committed(batch, results);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** A batch's records were committed: out of the spool, and told to the listeners. */
  private committed(batch: readonly SpooledRecord[], results: readonly RecordResult[]): void {
    // Deleted only now that the database has committed them: a crash in between replays them again (as duplicates).
    this.spool.remove(batch.map((b) => b.id));
    this.failures = 0;
    try {
      this.onReplayed(batch.map((b) => b.record), results);
    } catch (error) {
      this.options.logger.error({ err: summarizeError(error) }, 'a replay listener failed');
    }
  }

  /**
   * Replays a refused batch one record at a time, in order. A record the database refuses
   * (for a reason other than availability) while it commits another record of this pass is
   * poison: it is held (kept in the spool file, out of line) and the rest go on. If every
   * record is refused, the fault is the database's, not the records': nothing is held and
   * the replayer backs off. Returns false when it backs off.
   */
  private async replayOneByOne(batch: readonly SpooledRecord[]): Promise<boolean> {
    const refused: Array<{ item: SpooledRecord; error: unknown }> = [];
    let committedAny = false;
    for (const item of batch) {
      if (this.stopped) return false;
      try {
        const results = await this.inner.recordCallbacks([item.record]);
        this.replayed += 1;
        this.committed([item], results);
        committedAny = true;
      } catch (error) {
        if (isDatabaseUnavailable(error) || isWorthRetrying(error)) {
          this.backOff(error);
          return false;
        }
        refused.push({ item, error });
      }
    }
    if (!committedAny) {
      this.options.logger.error({ err: summarizeError(refused[0]?.error), pending: this.spool.size },
        'the database refused every spooled callback for a reason other than availability; they stay in the spool');
      this.backOff(refused[0]?.error, { quiet: true });
      return false;
    }
    for (const { item, error } of refused) {
      this.spool.hold(item.id, summarizeError(error).message, Date.now());
      this.options.logger.error({ err: summarizeError(error), sid: spooledSid(item.record), held: this.spool.held },
        'the database refused a spooled callback it took others with: the callback is held in the spool file, the rest go on');
    }
    return true;
  }

  /** The database cannot take the records now: try again later, waiting longer after each failure. */
  private backOff(error: unknown, options: { quiet?: boolean } = {}): void {
    this.failures += 1;
    const delay = backoffDelay(this.failures - 1, this.minBackoffMs, this.maxBackoffMs);
    if (!options.quiet && (this.failures === 1 || this.failures % LOG_EVERY_FAILURES === 0)) {
      this.options.logger.warn({ err: summarizeError(error), pending: this.spool.size, failures: this.failures, retryInMs: delay },
        'the database is still unavailable: spooled callbacks wait');
    }
    if (!this.stopped) this.schedule(delay);
  }
}

/**
 * Errors of a working database that a later attempt may not get (a serialization failure,
 * a deadlock, a lock not available): the replayer retries them, it never holds a record for them.
 */
function isWorthRetrying(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^40[0-9A-Z]{3}$/.test(code) || code === '55P03');
}
