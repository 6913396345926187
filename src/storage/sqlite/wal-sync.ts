import { close as closeFile, fdatasync, open as openFile } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';

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
  /** Lets go of the WAL file (the store calls it when it closes). */
  close(): Promise<void>;
}

/** Flushes one file's data to disk; resolves at once when there is no such file. */
export interface FileFlusher {
  flush(): Promise<void>;
  close(): Promise<void>;
}

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
export function createWalSync(file: string, flusher: FileFlusher = keptOpenFlusher(`${file}-wal`)): WalSync {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let syncs = 0;
  const start = (): Promise<void> => {
    syncs += 1;
    const current: Promise<void> = flusher.flush().finally(() => {
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
    async close() {
      await running?.catch(() => undefined);
      await flusher.close();
    },
  };
}

/**
 * fdatasync of one file through a descriptor kept open between flushes (opening and closing
 * it each time cost more CPU than the flush's own call, bench/notify), with the callback API
 * (a FileHandle's promise cost about a quarter more CPU per flush). SQLite keeps the WAL file
 * while any connection is open, so the descriptor stays valid for the store's life; one that
 * fails is dropped, and the next flush opens the file again.
 */
export function keptOpenFlusher(path: string): FileFlusher {
  let fd: number | null = null;
  return {
    async flush() {
      if (fd === null) {
        try {
          fd = await new Promise<number>((resolve, reject) => openFile(path, 'r+', (error, opened) => (error ? reject(error) : resolve(opened))));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // no WAL yet: nothing committed to flush
          throw error;
        }
      }
      const current = fd;
      try {
        await new Promise<void>((resolve, reject) => fdatasync(current, (error) => (error ? reject(error) : resolve())));
      } catch (error) {
        fd = null;
        await closeFd(current).catch(() => undefined);
        throw error;
      }
    },
    async close() {
      const current = fd;
      fd = null;
      if (current !== null) await closeFd(current);
    },
  };
}

function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => closeFile(fd, (error) => (error ? reject(error) : resolve())));
}

/** fdatasync on a libuv thread; a file that does not exist has nothing to flush. */
export async function datasyncFile(path: string): Promise<void> {
  let handle: FileHandle;
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
