import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite-driver.js';

/** How often the background thread copies the WAL back into the database file, in milliseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * WAL size (pages; 64 MiB at 4 KiB pages) past which the writer lets the thread catch up:
 * commits wait (the event loop does not) while the thread copies the last pages, so
 * that the next commit starts the WAL over from its beginning.
 */
export const WAL_RESTART_PAGES = 16_384;
/**
 * The writer's own last resort (SQLite's wal_autocheckpoint on the ingest connection),
 * this many times the hand-off point: reached only if hand-offs cannot restart the WAL
 * (a reader holding an old snapshot). Its checkpoint runs inside a commit, on the event loop.
 */
export const WRITER_CHECKPOINT_FACTOR = 4;
/** SQLite's own default, restored if the background thread dies: checkpoint every 1000 WAL pages. */
export const AUTOCHECKPOINT_PAGES = 1000;

/** Settings other than the defaults, for tests that need a small WAL and no writer backstop. */
export interface WalCheckpointOptions {
  /** The hand-off point, in WAL pages (default WAL_RESTART_PAGES). */
  restartPages?: number;
  /** The writer's own checkpoint, in WAL pages (default WRITER_CHECKPOINT_FACTOR × restartPages; 0 turns it off). */
  writerCheckpointPages?: number;
  /** How often the thread runs a pass (default CHECKPOINT_INTERVAL_MS). */
  intervalMs?: number;
}

/** A running background checkpointer. */
export interface WalCheckpointer {
  /**
   * Resolves at once, or, when the WAL has passed WAL_RESTART_PAGES, once the thread
   * has copied all of it: the writer awaits this before each commit.
   */
  beforeCommit(): Promise<void> | undefined;
  /** How many hand-offs have run (for tests and benchmarks). */
  readonly handOffs: number;
  stop(): Promise<void>;
}

/** The thread's reports: after every pass, its PASSIVE checkpoint's WAL size and copied pages. */
interface PassReport {
  kind: 'pass' | 'caught-up';
  log: number;
  checkpointed: number;
}

// Plain CommonJS run with `eval`, so that it needs no build step or TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const pass = (kind) => {
  try {
    const row = checkpoint.get();
    parentPort.postMessage({ kind, log: row.log, checkpointed: row.checkpointed });
  } catch {
    parentPort.postMessage({ kind, log: -1, checkpointed: -1 }); // busy: the next turn retries
  }
};
const timer = setInterval(() => pass('pass'), workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'catch-up') return pass('caught-up');
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
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
 * commits arriving back to back always leave some uncopied. The WAL file would grow
 * without end (about 1 GB in 10 s of saturating load, bench/README.md), and every commit
 * would pay for extending it. So the two hand off: when a pass reports the WAL past
 * WAL_RESTART_PAGES, the writer holds its next commit (asynchronously: the event loop
 * keeps reading requests, which join the held batch), asks the thread for one more
 * pass, which now copies everything, and commits when it answers; that commit restarts
 * the WAL, whose file SQLite reuses instead of extending it.
 */
export function startWalCheckpointer(db: SqliteDatabase, file: string, options: WalCheckpointOptions = {}): WalCheckpointer {
  const restartPages = options.restartPages ?? WAL_RESTART_PAGES;
  const writerPages = options.writerCheckpointPages ?? WRITER_CHECKPOINT_FACTOR * restartPages;
  const intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${writerPages}`);
  let stopping = false;
  let alive = true;
  let walFull = false;
  let catchingUp: { done: Promise<void>; resolve: () => void } | null = null;
  let handOffs = 0;
  let caughtUpAt = -1;

  const release = () => {
    catchingUp?.resolve();
    catchingUp = null;
  };
  worker.on('message', (report: PassReport) => {
    if (report.kind === 'caught-up') {
      walFull = false;
      caughtUpAt = report.log;
      release();
    } else if (report.log !== caughtUpAt) {
      // A pass that copied all it saw still leaves the WAL to grow: commits went on meanwhile.
      // (One with the catch-up's own size was queued behind it: the next commit restarts the WAL.)
      walFull = report.log >= restartPages;
    }
  });
  const fallBack = () => {
    alive = false;
    release(); // never leave a commit waiting for a thread that is gone
    // Without the thread, the WAL would grow forever: let SQLite checkpoint by itself again.
    if (!stopping) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => {
    fallBack();
    resolve();
  }));
  return {
    beforeCommit() {
      if (catchingUp !== null) return catchingUp.done;
      if (!walFull || !alive || stopping) return undefined;
      let resolve = () => {};
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      catchingUp = { done, resolve };
      handOffs += 1;
      worker.postMessage('catch-up');
      return done;
    },
    get handOffs() {
      return handOffs;
    },
    async stop() {
      if (stopping) return exited;
      stopping = true;
      release();
      worker.ref(); // keep the process alive until the thread has closed its connection
      worker.postMessage('stop');
      await exited;
    },
  };
}
