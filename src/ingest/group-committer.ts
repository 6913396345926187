/** Default upper bound on how many deliveries one transaction commits. */
export const DEFAULT_MAX_BATCH = 512;

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
  onCommitted: ((result: R) => void) | undefined;
}

/**
 * Group commit: items submitted while a commit is being written are gathered and written
 * by the next commit, so that a burst of N requests costs about one transaction, not N.
 * A commit that reports the moment its rows are written (`committed`) lets the next one
 * be written while it is made durable. Each submit resolves only after the commit that
 * holds its item has finished, durably.
 *
 * @example
 * const committer = new GroupCommitter((items) => store.recordCallbacks(items));
 * const result = await committer.submit(record);
 */
export class GroupCommitter<T, R> {
  private queue: Array<Pending<T, R>> = [];
  private running = false;
  /** Commits begun and not yet durable (written ones wait for their fsync). */
  private inFlight = 0;
  /** When the rest after the last commit's hold ends (performance.now() ms; see restLeftMs). */
  private restUntil = 0;
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
        // Let the requests already read by this turn of the event loop (or within gatherMs, or
        // the rest after the last commit's hold) join the batch.
        const gatherMs = this.options.gatherMs ?? 0;
        void later(gatherMs > 0 ? gatherMs : this.restLeftMs()).then(() => this.drain());
      }
    });
  }

  /** Resolves once nothing is queued or being committed. */
  idle(): Promise<void> {
    if (!this.running && this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** How many items wait for a commit (for metrics and backpressure). */
  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    const maxBatch = this.options.maxBatch ?? DEFAULT_MAX_BATCH;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, maxBatch);
      const started = process.hrtime.bigint();
      let markWritten = () => {};
      const written = new Promise<void>((resolve) => {
        markWritten = resolve;
      });
      this.inFlight += 1;
      const durable = this.commit(batch.map((p) => p.item), (results) => {
        const holdMs = Number(process.hrtime.bigint() - started) / 1e6;
        this.restUntil = performance.now() + Math.min(MAX_REST_MS, holdMs / 2);
        batch.forEach((p, i) => {
          p.onCommitted?.(results[i] as R);
        });
        markWritten();
      }).then((results) => {
        this.options.onBatch?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
        batch.forEach((p, i) => {
          p.resolve(results[i] as R);
        });
      }, (error: unknown) => {
        for (const p of batch) p.reject(error);
      }).finally(() => {
        this.inFlight -= 1;
        this.wakeIfIdle();
      });
      // Pipelined: the next batch is written as soon as this one is, while this one's fsync
      // is still on its way (the store makes each batch durable, in order, before its
      // senders are answered). Requests no longer wait for the fsync of a batch they are not
      // in: at 1,000 Notifies/s that wait was most of the tail (bench/README.md, "Group
      // commit pipelined"). A commit that reports no written moment is awaited whole.
      await Promise.race([written, durable]);
      if (this.queue.length > 0) await later(this.restLeftMs());
    }
    this.running = false;
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.running || this.inFlight > 0 || this.queue.length > 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * How long the next commit still waits after the last one held the event loop (a
   * synchronous write, reported by its `committed` call): half as long as that hold, at
   * most MAX_REST_MS. Requests keep being read meanwhile and join the next batch, so costly
   * commits (large rollup rows) are shared by more deliveries instead of repeated for a few
   * each: with the fsync off the event loop, commits of 2–7 deliveries at 3,000 a second
   * with live talk times fell behind. A rest as long as the hold served that case better
   * but cost a tenth of the top throughput (bench/README.md, "Ingest with the fsync off the
   * event loop").
   */
  private restLeftMs(): number {
    return this.restUntil - performance.now();
  }
}

/** Resolves after `ms`, or on the next turn of the event loop when that is under a millisecond. */
function later(ms: number): Promise<void> {
  if (ms < 1) return new Promise<void>((r) => setImmediate(r));
  return new Promise<void>((r) => setTimeout(r, ms));
}

/** Longest rest between two commits of a backlog, in ms. */
export const MAX_REST_MS = 10;
