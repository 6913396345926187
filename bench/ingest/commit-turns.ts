/**
 * Storage-only timing of the commits a fixed-rate load makes: small batches of live calls
 * (set up now, so that every batch lands in the current hour and quarter, as live traffic
 * does), one batch every BENCH_INTERVAL_MS, on a fresh SQLite store with its background
 * checkpointer. Reports the time of each recordCallbacks() call
 * (inserts, rollups, COMMIT with its fsync), apart for commits that waited for the WAL
 * hand-off, and the WAL bytes each commit writes.
 * Run: BENCH_BATCH=4 BENCH_INTERVAL_MS=2 BENCH_COMMITS=3000 npx tsx bench/ingest/commit-turns.ts
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 4);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 2);
const COMMITS = Number(process.env.BENCH_COMMITS ?? 3_000);
/** The checkpoint thread's pass interval (default: the server's, CHECKPOINT_INTERVAL_MS). */
const CHECKPOINT_MS = process.env.BENCH_CHECKPOINT_MS === undefined ? undefined : Number(process.env.BENCH_CHECKPOINT_MS);

/**
 * BENCH_VARIED_DURATIONS=1: talk times spread over 1–1,200 s as live traffic's are, so that the
 * current hour's duration histograms grow to hundreds of buckets (the fixture's one talk time
 * keeps them at one).
 */
const VARIED_DURATIONS = process.env.BENCH_VARIED_DURATIONS === '1';

/** A live delivery: set up a few minutes ago, a new sid. */
function liveDelivery() {
  const talk = VARIED_DURATIONS ? 1 + Math.floor(Math.random() * 1200) : 120;
  const setup = Math.floor(Date.now() / 1000) - talk - 10;
  const values = validCallbackValues({ sid: randomUUID(), setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 5 + talk), duration: String(talk), billing_sec: String(talk) });
  const query = new URLSearchParams(values).toString();
  const raw = { receivedAt: Date.now(), method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toCallbackRecord(raw, new Map(Object.entries(values)), []);
}

const at = (sorted: readonly number[], q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
const describe = (label: string, values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return `${label}: mean ${mean.toFixed(2)} p50 ${at(sorted, 0.5)} p99 ${at(sorted, 0.99)} max ${(sorted.at(-1) ?? 0).toFixed(2)}`;
};

const dir = mkdtempSync(join(tmpdir(), 'callevt-commit-turns-'));
try {
  const file = join(dir, 'turns.db');
  const store = createSqliteStore(file, CHECKPOINT_MS === undefined ? {} : { walCheckpoints: { intervalMs: CHECKPOINT_MS } });
  const waits: number[] = [];
  const commits: number[] = [];
  const walGrowth: number[] = [];
  let walBefore = 0;
  let cpuMs = 0;
  for (let n = 0; n < COMMITS; n += 1) {
    const batch = Array.from({ length: BATCH }, liveDelivery);
    const held = store.walHeldCommits;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await store.recordCallbacks(batch);
    const took = performance.now() - started;
    const used = process.cpuUsage(cpu);
    cpuMs += (used.user + used.system) / 1000;
    (store.walHeldCommits === held ? commits : waits).push(took);
    const wal = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
    if (wal > walBefore) walGrowth.push(wal - walBefore);
    walBefore = wal;
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  await store.close();
  process.stdout.write(`${COMMITS} commits of ${BATCH} live deliveries, one every ${INTERVAL_MS} ms (+ the commit)\n`);
  process.stdout.write(`CPU per commit (all threads, while it ran): ${((1000 * cpuMs) / COMMITS).toFixed(0)} µs\n`);
  process.stdout.write(`${describe('commit ms', commits)}\n${describe(`commit ms, the ${waits.length} that waited for a WAL hand-off`, waits)}\n`);
  process.stdout.write(`${describe('WAL KiB per commit (while the WAL grew)', walGrowth.map((b) => b / 1024))}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
