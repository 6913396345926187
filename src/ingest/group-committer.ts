/** Default upper bound on how many deliveries one transaction commits. */
export const DEFAULT_MAX_BATCH = 512;

interface Pending<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a commit is in flight are gathered and written
 * by the next commit, so that a burst of N requests costs about one fsync, not N.
 * Each submit resolves only after the commit that holds its item has finished.
 *
 * @example
 * const committer = new GroupCommitter((items) => store.recordCallbacks(items));
 * const result = await committer.submit(record);
 */
export class GroupCommitter<T, R> {
  private queue: Array<Pending<T, R>> = [];
  /** Batches being committed. */
  private inFlight = 0;
  /** A drain is scheduled for the next turn of the event loop. */
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly commit: (items: T[]) => Promise<R[]>,
    private readonly options: {
      maxBatch?: number;
      /** Batches committing at once (default 1); the commit function must allow it. */
      maxInFlight?: number;
      onBatch?: (size: number, seconds: number) => void;
    } = {},
  ) {}

  /** Queues an item; resolves with its result once durably committed, rejects if the commit failed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or being committed. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** How many items wait for a commit (for metrics and backpressure). */
  get pending(): number {
    return this.queue.length;
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0 && !this.scheduled;
  }

  /** Starts a batch on the next turn, if items wait and a commit slot is free. */
  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= (this.options.maxInFlight ?? 1)) return;
    this.scheduled = true;
    // Let the requests already read by this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.runBatch();
    });
  }

  private async runBatch(): Promise<void> {
    if (this.queue.length === 0 || this.inFlight >= (this.options.maxInFlight ?? 1)) return this.wakeIfIdle();
    const batch = this.queue.splice(0, this.options.maxBatch ?? DEFAULT_MAX_BATCH);
    this.inFlight += 1;
    const started = process.hrtime.bigint();
    // The commit function may write synchronously before its first await: the next batch
    // is scheduled only after that, so batches are written in order.
    let committing: Promise<R[]>;
    try {
      committing = this.commit(batch.map((p) => p.item));
    } catch (error) {
      committing = Promise.reject(error);
    }
    this.schedule();
    try {
      const results = await committing;
      this.options.onBatch?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
      batch.forEach((p, i) => p.resolve(results[i] as R));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
    this.inFlight -= 1;
    this.schedule();
    this.wakeIfIdle();
  }

  private wakeIfIdle(): void {
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
