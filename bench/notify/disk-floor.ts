/**
 * The disk's share of a durable Notify, measured alone: at the benchmark's rate, each tick
 * writes what one Notify commit adds to the WAL (about 7.7 pages of 4 KiB:
 * bench/notify/commit-probe.ts counts them) to a file in the benchmark's directory, then
 * asks the production WAL syncer (src/storage/sqlite/wal-sync.ts: fdatasync on a libuv
 * thread, never two at once, each caller answered by a sync begun after its write) to
 * make it durable. Each latency is counted from the tick's due time, as the load
 * generator counts a request's. No HTTP, no SQLite, no relay: what is left is the fsync,
 * which no design that answers only after a durable commit can avoid.
 */
import { openSync, writeSync, closeSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createWalSync } from '../../src/storage/sqlite/wal-sync.js';

/** Bytes one Notify commit appends to the WAL: 7.7 frames of 4,096 + 24 bytes. */
export const NOTIFY_COMMIT_WAL_BYTES = Math.round(7.7 * 4_120);
/** Distinct offsets written in turn, so that the file stays small while every write dirties its pages. */
const SLOTS = 256;

/** Latency percentiles of the disk alone, in ms. */
export interface DiskFloor {
  p50: number;
  p99: number;
  max: number;
  syncs: number;
  writes: number;
}

/**
 * Writes `bytesPerWrite` (default: what one Notify commit adds to the WAL) and syncs `rate`
 * times a second for `seconds`. bench/ingest replays its fixed-rate case with it: that
 * case's commits a second and the bytes its server wrote per commit.
 */
export async function measureDiskFloor(dir: string, rate: number, seconds: number, bytesPerWrite = NOTIFY_COMMIT_WAL_BYTES): Promise<DiskFloor> {
  const file = join(dir, 'disk-floor.db');
  const fd = openSync(`${file}-wal`, 'w');
  const wal = createWalSync(file);
  const page = Buffer.alloc(Math.max(1, Math.round(bytesPerWrite)), 7);
  const latencies: number[] = [];
  const pending: Array<Promise<void>> = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  try {
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      // Never before its due time, as the load generator sends (a timer waits at least 1 ms).
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      writeSync(fd, page, 0, page.length, (i % SLOTS) * page.length);
      pending.push(wal.sync().then(() => {
        latencies.push(performance.now() - due);
      }));
    }
    await Promise.all(pending);
  } finally {
    await wal.close();
    closeSync(fd);
    rmSync(`${file}-wal`, { force: true });
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? Number.NaN, syncs: wal.syncs, writes: total };
}
