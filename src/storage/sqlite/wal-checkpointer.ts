import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite-driver.js';

/** How often the background thread copies the WAL back into the database file, in milliseconds. */
export const CHECKPOINT_INTERVAL_MS = 100;
/**
 * WAL size (pages; 64 MiB at 4 KiB pages) past which the writer lets the thread catch up:
 * the thread copies the last pages while a commit's own WAL fsync runs, and the next
 * commit (waiting, if the thread is not done yet, without blocking the event loop) starts
 * the WAL over from its beginning.
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
  /** Told of every pass the thread ran (benchmarks trace them against request latencies). */
  onPass?: (pass: CheckpointPass) => void;
}

/** One checkpoint pass of the thread, as it reported it. */
export interface CheckpointPass {
  /** 'pass' on the thread's own schedule; 'caught-up' when the writer asked for it (afterCommit). */
  kind: 'pass' | 'caught-up';
  /** When the pass started and ended (performance.timeOrigin + performance.now() of the thread, ms). */
  startedAt: number;
  endedAt: number;
  /** WAL frames when the pass started, and how many of them were in the database file when it ended (-1: busy). */
  log: number;
  checkpointed: number;
}

/** A running background checkpointer. */
export interface WalCheckpointer {
  /**
   * Resolves at once, or, while the thread catches up on a WAL past WAL_RESTART_PAGES,
   * once it has copied all of it: the writer awaits this before each commit.
   */
  beforeCommit(): Promise<void> | undefined;
  /**
   * The writer calls this right after each commit, before that commit's WAL fsync: past
   * WAL_RESTART_PAGES it asks the thread to catch up now, while the writer waits for the fsync anyway.
   */
  afterCommit(): void;
  /** How many hand-offs (catch-ups asked of the thread) have run (for tests and benchmarks). */
  readonly handOffs: number;
  /** How many commits found the thread still catching up and waited for it (for tests and benchmarks). */
  readonly heldCommits: number;
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
const clock = () => performance.timeOrigin + performance.now();
const pass = (kind) => {
  const startedAt = clock();
  try {
    const row = checkpoint.get();
    parentPort.postMessage({ kind, startedAt, endedAt: clock(), log: row.log, checkpointed: row.checkpointed });
  } catch {
    parentPort.postMessage({ kind, startedAt, endedAt: clock(), log: -1, checkpointed: -1 }); // busy: the next turn retries
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
 * WAL_RESTART_PAGES, the writer, right after its next commit, asks the thread for one more
 * pass, which copies everything (no ingest commit comes in between) and syncs the
 * database file, and the commit after waits for it; that commit restarts the WAL, whose
 * file SQLite reuses instead of extending it. The pass runs while the writer waits for
 * its last commit's WAL fsync (wal-sync.ts) and the group committer's rest, which it used
 * to follow: a commit waits only for what the pass takes beyond those (before, every
 * hand-off held a commit for the whole pass, 2–10 ms, bench/README.md), and the wait is
 * asynchronous: the event loop keeps reading requests, which join the held batch.
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
  let heldCommits = 0;
  let caughtUpAt = -1;

  const release = () => {
    catchingUp?.resolve();
    catchingUp = null;
  };
  worker.on('message', (report: CheckpointPass) => {
    options.onPass?.(report);
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
      if (catchingUp === null) return undefined;
      heldCommits += 1;
      return catchingUp.done;
    },
    afterCommit() {
      if (catchingUp !== null || !walFull || !alive || stopping) return;
      let resolve = () => {};
      const done = new Promise<void>((r) => {
        resolve = r;
      });
      catchingUp = { done, resolve };
      handOffs += 1;
      worker.postMessage('catch-up');
    },
    get handOffs() {
      return handOffs;
    },
    get heldCommits() {
      return heldCommits;
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
