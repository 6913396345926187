import { closeSync, fdatasync, fstatSync, openSync, statSync } from 'node:fs';

/**
 * Flushes the WAL file to disk off the event loop: `sync()` resolves once every byte
 * written to the WAL before the call is on disk (fdatasync in libuv's thread pool).
 * Calls made while a flush is running share the next one (group fsync).
 */
export interface WalSync {
  sync(): Promise<void>;
  /** Waits for the flush in progress, then closes the file. */
  close(): Promise<void>;
}

/** Flushes one file's data to disk; the default is fdatasync(2). Tests inject failures or delays. */
export type FlushFile = (fd: number) => Promise<void>;

const fdatasyncFile: FlushFile = (fd) =>
  new Promise((resolve, reject) => fdatasync(fd, (error) => (error === null ? resolve() : reject(error))));

/**
 * Flushes the write-ahead log `walFile`, opened at the first `sync()` (after a commit,
 * so the file exists). After one failed flush every later `sync()` fails too: what the
 * kernel did with the unflushed pages is unknown, so no later delivery may be
 * acknowledged on the strength of a flush (the server has to be restarted).
 */
export function createWalSync(walFile: string, flush: FlushFile = fdatasyncFile): WalSync {
  let fd: number | null = null;
  let inode = 0;
  let closed = false;
  let failed: unknown = null;
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;

  const flushOnce = async (): Promise<void> => {
    if (failed !== null) throw failed;
    if (closed) throw new Error('The WAL flush is closed');
    if (fd === null) {
      fd = openSync(walFile, 'r');
      inode = fstatSync(fd).ino;
    }
    // SQLite keeps one WAL file while a connection is open; if it ever were replaced,
    // flushing the old one would acknowledge nothing. Refuse instead.
    if (statSync(walFile).ino !== inode) failed = new Error(`${walFile} was replaced while open`);
    if (failed !== null) throw failed;
    try {
      await flush(fd);
    } catch (error) {
      failed = error;
      throw error;
    }
  };

  const sync = (): Promise<void> => {
    if (running === null) {
      running = flushOnce().finally(() => {
        running = null;
      });
      return running;
    }
    // A flush is running, and may have started before this caller's writes: the next one
    // covers them, and everyone who arrives until it starts.
    next ??= running.catch(() => undefined).then(() => {
      next = null;
      return sync();
    });
    return next;
  };

  return {
    sync,
    async close() {
      closed = true;
      await Promise.allSettled([running, next]);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
