// The seed's rollup cells, computed in a worker thread while the main thread inserts the
// calls: the generator is deterministic, so this thread makes the same calls from the
// same options and sends each chunk's rollup rows (as insert values) through `port`.
// With `sendCalls` it sends each chunk's calls first (as transferred columns), so the main
// thread only inserts, staying at most SEED_CALLS_AHEAD chunks ahead of it; the rollups of
// the chunks sent are computed meanwhile, in order.
// It sets the started signal when it starts; when it is finished (or failed) it sets the
// finished signal and wakes the main thread, which waits with Atomics.wait and reads the
// messages with receiveMessageOnPort (seed-rollup-worker-protocol.ts).
import { workerData } from 'node:worker_threads';
import type { StatsCall } from '../domain/stats/figures.js';
import { carrySpill, nextSlotAfter, rollupCellsOf } from '../domain/stats/rollup-cells.js';
import { cellToValues } from '../storage/sql/rollup-rows.js';
import { createSeedColumnsEncoder, type SeedCallColumns } from './seed-columns.js';
import { generateSeedChunks, type SeedCall } from './seed-generator.js';
import { SEED_CALLS_AHEAD, SEED_ROLLUP_BACKLOG_CHUNKS, SIGNAL, type SeedRollupMessage, type SeedRollupWorkerData } from './seed-rollup-worker-protocol.js';

const { options, chunkCalls, port, signal, sendCalls } = workerData as SeedRollupWorkerData;
const encode = sendCalls ? createSeedColumnsEncoder() : undefined;
let posted = 0;
Atomics.store(signal, SIGNAL.started, 1);
try {
  // Chunks hold whole hours in time order: the earlier hours' spilling calls make the peaks exact.
  let spill: StatsCall[] = [];
  const postRollups = (chunk: SeedCall[]): void => {
    port.postMessage({ rows: rollupCellsOf(chunk, spill).map(cellToValues) } satisfies SeedRollupMessage);
    spill = carrySpill(spill, chunk, nextSlotAfter(chunk));
  };
  // Sending calls, the main thread waits for them: each chunk's calls go first, and the
  // rollups of the chunks sent (in order) fill the time until it wants more, then its index build.
  const pending: SeedCall[][] = [];
  for (const chunk of generateSeedChunks(options, chunkCalls)) {
    if (encode === undefined) {
      postRollups(chunk);
      continue;
    }
    postCalls(encode(chunk));
    pending.push(chunk);
    // The backlog is bounded (memory): beyond it, the rollups go first even if the main thread waits.
    while (pending.length > SEED_ROLLUP_BACKLOG_CHUNKS || (pending.length > 0 && posted - Atomics.load(signal, SIGNAL.callsTaken) >= SEED_CALLS_AHEAD)) {
      postRollups(pending.shift() as SeedCall[]);
    }
    waitWhileAhead();
  }
  if (encode !== undefined) {
    // No more calls: the main thread goes on (to its index build) while the last rollups are computed.
    port.postMessage({ callsEnd: true } satisfies SeedRollupMessage);
    Atomics.add(signal, SIGNAL.events, 1);
    Atomics.notify(signal, SIGNAL.events);
  }
  for (const chunk of pending) postRollups(chunk);
} catch (error) {
  port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies SeedRollupMessage);
} finally {
  // The port stays open (closing could drop what is queued); the main thread terminates this worker.
  Atomics.store(signal, SIGNAL.finished, 1);
  Atomics.add(signal, SIGNAL.events, 1);
  Atomics.notify(signal, SIGNAL.events);
}

/** Posts a chunk's calls, their buffers transferred. */
function postCalls(calls: SeedCallColumns): void {
  port.postMessage({ calls } satisfies SeedRollupMessage, [calls.numbers.buffer, calls.strings.buffer]);
  posted++;
  Atomics.add(signal, SIGNAL.events, 1);
  Atomics.notify(signal, SIGNAL.events);
}

/** Waits while the main thread has SEED_CALLS_AHEAD chunks of calls not yet taken. */
function waitWhileAhead(): void {
  for (let taken = Atomics.load(signal, SIGNAL.callsTaken); posted - taken >= SEED_CALLS_AHEAD; taken = Atomics.load(signal, SIGNAL.callsTaken)) {
    Atomics.wait(signal, SIGNAL.callsTaken, taken, 1_000);
  }
}
