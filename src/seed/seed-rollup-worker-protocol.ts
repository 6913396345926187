// What the seed's main thread and seed-rollup-worker share: the worker's data, its
// messages, and the slots of the shared Int32Array through which they signal each other.
import type { MessagePort } from 'node:worker_threads';
import type { SeedCallColumns } from './seed-columns.js';
import type { SeedOptions } from './seed-generator.js';

export interface SeedRollupWorkerData {
  options: SeedOptions;
  chunkCalls: number;
  port: MessagePort;
  /** SEED_WORKER_SIGNALS slots, indexed by SIGNAL. */
  signal: Int32Array;
  /** Whether to send each chunk's calls too (as columns, before its rollup rows). */
  sendCalls: boolean;
}

/** What the worker posts: a chunk's calls, the end of the calls, the rollup rows of one chunk, or why it failed. */
export type SeedRollupMessage = { calls: SeedCallColumns } | { callsEnd: true } | { rows: unknown[][] } | { error: string };

/** The slots of the shared signal array. */
export const SIGNAL = {
  /** 1 once the worker has finished (or failed). */
  finished: 0,
  /** 1 once the worker has started. */
  started: 1,
  /** Bumped (and notified) by the worker after each chunk of calls it posts, after the end of the calls and when it finishes: the main thread waits on it. */
  events: 2,
  /** Chunks of calls the main thread has taken (notified): the worker waits on it to stay at most SEED_CALLS_AHEAD chunks ahead. */
  callsTaken: 3,
} as const;

export const SEED_WORKER_SIGNALS = 4;

/** Chunks of calls the worker may have posted and the main thread not yet taken (bounds the memory they hold). */
export const SEED_CALLS_AHEAD = 3;

/**
 * Chunks whose calls the worker has sent and whose rollups it has not computed yet, at
 * most (about 250 MB of calls per 10 chunks): beyond, it computes rollups before making more calls.
 */
export const SEED_ROLLUP_BACKLOG_CHUNKS = 40;
