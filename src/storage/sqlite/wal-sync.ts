import { open } from 'node:fs/promises';

/**
 * Makes ingest commits durable without an fsync on the event loop. The callback recorder
 * commits under synchronous=NORMAL (its pages reach the WAL file, not yet the disk) and
 * then awaits `sync()`, which runs fdatasync on the WAL file on a libuv thread: the event
 * loop goes on reading requests and relaying Notifies meanwhile, where synchronous=FULL
 * would hold it for the whole fsync (several milliseconds per commit on a shared disk,
 * bench/README.md). A delivery is answered only after the sync that followed its commit,
 * so an acknowledged delivery survives power loss exactly as under synchronous=FULL: the
 * WAL's frames are on disk, and checkpoints sync both files themselves (SQLite does so
 * under NORMAL too). docs/architecture.md, "Durability".
 */
export interface WalSync {
  /** Resolves once everything committed before the call is on disk; rejects if the disk refused. */
  sync(): Promise<void>;
  /** How many fdatasync calls ran (for tests and benchmarks). */
  readonly syncs: number;
}

/** Flushes one file's data to disk; resolves at once when there is no such file. */
export type Datasync = (path: string) => Promise<void>;

/**
 * The WAL syncer of one database file. Calls that arrive while a sync runs share the next
 * one, which starts when it ends: never two at once, and never an answer from a sync that
 * began before the caller's commit.
 *
 * @example
 * const wal = createWalSync(file);
 * recorder.record(batch); // under synchronous=NORMAL
 * await wal.sync();       // now durable: answer the senders
 */
export function createWalSync(file: string, datasync: Datasync = datasyncFile): WalSync {
  const path = `${file}-wal`;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let syncs = 0;
  const start = (): Promise<void> => {
    syncs += 1;
    const current: Promise<void> = datasync(path).finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  };
  return {
    sync() {
      if (file === ':memory:') return Promise.resolve();
      if (running === null) return start();
      // A sync is on its way, but it may have begun before this caller's commit: wait for it, then run one more.
      queued ??= running.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        queued = null;
        return start();
      });
      return queued;
    },
    get syncs() {
      return syncs;
    },
  };
}

/** fdatasync on a libuv thread; a file that does not exist has nothing to flush. */
export async function datasyncFile(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
