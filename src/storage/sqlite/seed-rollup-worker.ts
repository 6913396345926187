// The seed's rollup cells, computed in a worker thread while the main thread inserts the
// calls: the generator is deterministic, so this thread makes the same calls from the
// same options and sends each chunk's rollup rows (as insert values) through `port`.
// It sets signal[1] to 1 when it starts; when it is finished (or failed) it sets signal[0] to 1 and wakes the main thread,
// which waits with Atomics.wait and reads the messages with receiveMessageOnPort.
import { type MessagePort, workerData } from 'node:worker_threads';
import type { StatsCall } from '../../domain/stats/figures.js';
import { carrySpill, nextSlotAfter, rollupCellsOf } from '../../domain/stats/rollup-cells.js';
import { cellToValues } from '../sql/rollup-rows.js';
import { generateSeedChunks, type SeedOptions } from './seed-generator.js';

export interface SeedRollupWorkerData {
  options: SeedOptions;
  chunkCalls: number;
  port: MessagePort;
  signal: Int32Array;
}

/** What the worker posts: the rollup rows of one chunk, or why it failed. */
export type SeedRollupMessage = { rows: unknown[][] } | { error: string };

const { options, chunkCalls, port, signal } = workerData as SeedRollupWorkerData;
Atomics.store(signal, 1, 1);
try {
  // Chunks hold whole hours in time order: the earlier hours' spilling calls make the peaks exact.
  let spill: StatsCall[] = [];
  for (const chunk of generateSeedChunks(options, chunkCalls)) {
    port.postMessage({ rows: rollupCellsOf(chunk, spill).map(cellToValues) } satisfies SeedRollupMessage);
    spill = carrySpill(spill, chunk, nextSlotAfter(chunk));
  }
} catch (error) {
  port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies SeedRollupMessage);
} finally {
  // The port stays open (closing could drop what is queued); the main thread terminates this worker.
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}
