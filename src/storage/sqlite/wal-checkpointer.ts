import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite-driver.js';

/** How often the background thread copies the WAL back into the database file, in milliseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * The writer's backstop (SQLite's wal_autocheckpoint on the ingest connection): a commit
 * that leaves the WAL at this many pages or more (64 MiB at 4 KiB pages) also runs a
 * PASSIVE checkpoint, which copies only the pages the thread has not copied yet. Rare on
 * purpose: on a large database that copy and its fsync hold the event loop for tens of
 * milliseconds (4,000 pages put every few commits through it: p99 10 → 34 ms at 1 M calls).
 */
export const WRITER_CHECKPOINT_PAGES = 16_384;
/** SQLite's own default, restored if the background thread dies: checkpoint every 1000 WAL pages. */
export const AUTOCHECKPOINT_PAGES = 1000;

/** A running background checkpointer; `stop()` ends its thread. */
export interface WalCheckpointer {
  stop(): Promise<void>;
}

// Plain CommonJS run with `eval`, so that it needs no build step or TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try { checkpoint.get(); } catch { /* busy: the next turn retries */ }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); try { db.close(); } catch {} parentPort.close(); });
`;

/**
 * Moves WAL checkpoints off the ingest path. With SQLite's automatic checkpoint, every
 * ~1000 pages one commit also copies the WAL into the database file and fsyncs it,
 * stalling the event loop (and every waiting callback) for tens of milliseconds on a
 * large database. Here a worker thread with its own connection runs PASSIVE
 * checkpoints, which never block the writer. Durability is unchanged: a commit is
 * durable once the WAL is fsynced, before and after this.
 *
 * The thread alone cannot keep the WAL small under sustained load: SQLite starts the WAL
 * over from its beginning only when a commit finds every page already copied, and
 * commits arriving back to back always leave some uncopied. The WAL file then grows
 * without end (about 1 GB in 10 s of saturating load, bench/README.md), and every commit
 * pays for extending it (the kernel allocates and zeroes each new block). So the writer
 * keeps a backstop: past WRITER_CHECKPOINT_PAGES, its commit finishes the thread's work
 * (the pages written since the thread's last pass), and the next commit restarts the WAL,
 * whose file SQLite then reuses (it does not shrink it) instead of extending it.
 */
export function startWalCheckpointer(db: SqliteDatabase, file: string): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS } });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  let stopping = false;
  const fallBack = () => {
    // Without the thread, the WAL would grow forever: let SQLite checkpoint by itself again.
    if (!stopping) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => {
    fallBack();
    resolve();
  }));
  return {
    async stop() {
      if (stopping) return exited;
      stopping = true;
      worker.ref(); // keep the process alive until the thread has closed its connection
      worker.postMessage('stop');
      await exited;
    },
  };
}
