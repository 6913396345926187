/** Default upper bound on how many deliveries one transaction commits. */
export const DEFAULT_MAX_BATCH = 512;

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  onCommitted: ((result: R) => void) | undefined;
}

/**
 * Group commit: items submitted while a commit is in flight are gathered and written
 * by the next commit, so that a burst of N requests costs about one fsync, not N.
 * Each submit resolves only after the commit that holds its item has finished.
 * A commit that reports its rows written before they are durable (SQLite: the WAL fsync
 * runs after it, off the event loop) and then waits SLOW_SYNC_MS for the disk lets the
 * next batch be written meanwhile, so that a slow fsync holds up the answers, not the
 * writing of what arrived meanwhile; the batch after that waits until the first is durable
 * (never more than two batches waiting for the disk). A quick fsync is waited for: writing
 * during every fsync halved the batches of a saturating load and cost a fifth of its
 * throughput on a busy machine (bench/README.md, "The WAL hand-off during the fsync").
 *
 * @example
 * const committer = new GroupCommitter((items) => store.recordCallbacks(items));
 * const result = await committer.submit(record);
 */
export class GroupCommitter<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private running = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    /** Commits a batch; may call `committed` once the rows are written, before they are durable. */
    private readonly commit: (items: T[], committed: (results: R[]) => void) => Promise<R[]>,
    private readonly options: {
      maxBatch?: number;
      onBatch?: (size: number, seconds: number) => void;
      /**
       * How long the first item of a batch waits for others, in ms (default 0: the next
       * turn of the event loop). For writes nobody waits on, so that they share a transaction.
       */
      gatherMs?: number;
      /** How long a commit waits for the disk before the next batch is written anyway, in ms (default SLOW_SYNC_MS). */
      slowSyncMs?: number;
    } = {},
  ) {}

  /**
   * Queues an item; resolves with its result once durably committed, rejects if the commit
   * failed. `onCommitted` gets the result earlier, if the commit reports a moment when the
   * item is written but not yet durable (see CallStore.recordCallbacks).
   */
  submit(item: T, onCommitted?: (result: R) => void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject, onCommitted });
      if (!this.running) {
        this.running = true;
        // Let the requests already read by this turn of the event loop (or within gatherMs) join the batch.
        const gatherMs = this.options.gatherMs ?? 0;
        if (gatherMs > 0) setTimeout(() => void this.drain(), gatherMs);
        else setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once nothing is queued or being committed. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** How many items wait for a commit (for metrics and backpressure). */
  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? DEFAULT_MAX_BATCH;
    // The batch before the latest, until it is durable: at most two batches wait for the disk.
    let previous: Promise<void> | null = null;
    for (;;) {
      if (this.queue.length === 0) {
        if (previous === null) break;
        await previous; // items may arrive meanwhile: look again
        previous = null;
        continue;
      }
      const batch = this.queue.splice(0, maxBatch);
      const { settled, written, holdMs } = this.commitBatch(batch);
      // Once its rows are written (a commit that reports it) the next batch may be committed
      // while this one waits for the disk; a commit that does not report it is waited for whole.
      await Promise.race([written, settled]);
      const before = previous;
      previous = settled;
      await Promise.all([this.restAfter(holdMs()), settledOrSlow(settled, this.options.slowSyncMs ?? SLOW_SYNC_MS), before]);
    }
    this.running = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * Starts one commit. `written` resolves when the commit reports its rows written (before
   * they are durable), `settled` once every item of the batch has its answer or its error.
   */
  private commitBatch(batch: Array<Pending<T, R>>): { settled: Promise<void>; written: Promise<void>; holdMs: () => number } {
    const started = process.hrtime.bigint();
    let holdMs = 0;
    let markWritten = () => {};
    const written = new Promise<void>((resolve) => {
      markWritten = resolve;
    });
    const settled = this.commit(batch.map((p) => p.item), (rows) => {
      holdMs = Number(process.hrtime.bigint() - started) / 1e6;
      batch.forEach((p, i) => {
        p.onCommitted?.(rows[i] as R);
      });
      markWritten();
    }).then((results) => {
      this.options.onBatch?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
      batch.forEach((p, i) => {
        p.resolve(results[i] as R);
      });
    }, (error: unknown) => {
      for (const p of batch) p.reject(error);
    });
    return { settled, written, holdMs: () => holdMs };
  }

  /**
   * Before the next commit of a backlog: a turn of the event loop, or, when the last
   * commit held the loop (a synchronous write, reported by its `committed` call), half as
   * long again, at most MAX_REST_MS. Requests keep being read meanwhile and join the next
   * batch, so costly commits (large rollup rows) are shared by more deliveries instead of
   * repeated for a few each: with the fsync off the event loop, commits of 2–7 deliveries
   * at 3,000 a second with live talk times fell behind. A rest as long as the hold served
   * that case better but cost a tenth of the top throughput (bench/README.md, "Ingest with
   * the fsync off the event loop").
   */
  private restAfter(holdMs: number): Promise<void> {
    const restMs = Math.min(MAX_REST_MS, holdMs / 2);
    if (restMs < 1) return new Promise<void>((r) => setImmediate(r));
    return new Promise<void>((r) => setTimeout(r, restMs));
  }
}

/** Longest rest between two commits of a backlog, in ms. */
export const MAX_REST_MS = 10;

/**
 * How long a commit waits for the disk before the next batch is written anyway, in ms:
 * beyond most fsyncs on a shared virtual disk (p50 ~1 ms, p90 a few ms, bench/README.md).
 */
export const SLOW_SYNC_MS = 3;

/**
 * Resolves when the commit is durable or has waited `slowMs` for the disk, whichever
 * comes first. The timer is cleared once the commit is durable: at 1,000 Notifies/s there
 * is a commit a millisecond, and a timer left to fire 3 ms later woke the event loop once
 * more for each of them (bench/notify: about a tenth more CPU per Notify).
 */
function settledOrSlow(settled: Promise<void>, slowMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, slowMs);
  });
  return Promise.race([settled, slow]).finally(() => clearTimeout(timer));
}
