/**
 * Where does the retention job hold the event loop, and what does it cost ingest commits?
 * Fills a SQLite database as bench/retention/run.ts does (CALLS deliveries over the 100 days
 * before now), then, in one process: BASELINE_MS of simulated ingest (INGEST_BATCH new
 * deliveries committed through the store every INGEST_EVERY_MS, as the group committer
 * does at 200 deliveries/s) without the job, then the same ingest while the store's
 * applyRetention runs once with the same limits. A chain of setImmediate callbacks
 * records every stall of the event loop over STALL_MS in both phases. Prints, per phase,
 * the stalls and the ingest commits' times (await to await), and the job's longest
 * transaction. With STALLS_HRTIME=1 each stall's end is also written to stderr in
 * microseconds of the monotonic clock, to find it in a `node --cpu-prof` profile.
 * Run: npx tsx bench/retention/find-stalls.ts 100000
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallStore } from '../../src/storage/port.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { deliveryOf } from '../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { fillRetentionBench } from './fill-retention-bench.js';

const CALLS = Number(process.argv[2] ?? 20_000);
/** Stalls of the event loop longer than this are counted, in ms. */
const STALL_MS = Number(process.env.STALL_MS ?? 20);
/** Deliveries per simulated ingest commit, and the pause after each commit. */
const INGEST_BATCH = 2;
const INGEST_EVERY_MS = 10;
/** How long the ingest runs without the job first. */
const BASELINE_MS = 5_000;

/** Records new deliveries every INGEST_EVERY_MS until stopped; resolves with each commit's time. */
function ingestUntilStopped(store: CallStore): { stop(): Promise<number[]> } {
  const took: number[] = [];
  let going = true;
  let n = 0;
  const loop = (async () => {
    while (going) {
      const now = Date.now();
      const records = Array.from({ length: INGEST_BATCH }, () => deliveryOf(validCallbackValues({ sid: `live-${n++}`, setup_time: String(Math.floor(now / 1000)) }), now));
      const started = performance.now();
      await store.recordCallbacks(records);
      took.push(performance.now() - started);
      await sleep(INGEST_EVERY_MS);
    }
  })();
  return {
    async stop() {
      going = false;
      await loop;
      return took;
    },
  };
}

/** The step the job is in: the table of its last batch (`peak refresh` before the first), as onBatch tells. */
let step = 'peak refresh';
const stallsByStep = new Map<string, number[]>();

/** Watches the event loop: the stalls over STALL_MS since the last take() (during the job, also by step). */
function watchStalls(): { take(): number[]; stop(): void } {
  let stalls: number[] = [];
  let last = performance.now();
  let watching = true;
  const tick = () => {
    const now = performance.now();
    if (now - last > STALL_MS) {
      stalls.push(now - last);
      if (jobRunning) stallsByStep.set(step, [...(stallsByStep.get(step) ?? []), now - last]);
      if (process.env.STALLS_HRTIME === '1') process.stderr.write(`stall ${process.hrtime.bigint() / 1000n} ${Math.round((now - last) * 1000)}\n`);
    }
    last = now;
    if (watching) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    take: () => {
      const taken = stalls;
      stalls = [];
      return taken;
    },
    stop: () => {
      watching = false;
    },
  };
}

let jobRunning = false;
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))] ?? 0;
const line = (name: string, stalls: number[], commits: number[]) =>
  console.log(`${name.padEnd(9)} ${String(stalls.length).padStart(7)} ${Math.max(0, ...stalls).toFixed(0).padStart(10)} ${String(commits.length).padStart(8)} ` +
    `${quantile(commits, 0.5).toFixed(1).padStart(7)} ${quantile(commits, 0.99).toFixed(1).padStart(7)} ${Math.max(0, ...commits).toFixed(1).padStart(7)}`);

const dir = mkdtempSync(join(tmpdir(), 'callevt-retention-stalls-'));
try {
  const file = join(dir, 'bench.db');
  const now = Date.now();
  await fillRetentionBench(file, CALLS, now);
  const store = createSqliteStore(file);
  const loadBefore = loadavg()[0]?.toFixed(2);
  const stalls = watchStalls();
  let ingest = ingestUntilStopped(store);
  await sleep(BASELINE_MS);
  const baseline = { commits: await ingest.stop(), stalls: stalls.take() };
  ingest = ingestUntilStopped(store);
  const started = performance.now();
  jobRunning = true;
  const seen: string[] = [];
  const report = await store.applyRetention({
    policy: { rawDays: 30, quarantineDays: 30, callsDays: 60, rollupsDays: null, truncateIpsDays: 7 },
    now, batchSize: 250,
    // The stalls that follow a batch belong to the step of the next one: name the step by the batch's table, removal then IP truncation.
    onBatch: (table) => {
      if (step.split(' ')[1] !== table) {
        step = `${seen.includes(table) ? 'truncate' : 'remove'} ${table}`;
        seen.push(table);
      }
    },
  });
  jobRunning = false;
  const jobMs = performance.now() - started;
  const during = { commits: await ingest.stop(), stalls: stalls.take() };
  stalls.stop();
  await store.close();
  console.log(`${CALLS} calls; ${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]?.toFixed(2)} after`);
  console.log(`job ${jobMs.toFixed(0)} ms, longest transaction ${report.longestBatchMs.toFixed(1)} ms; removed ${JSON.stringify(report.removed)}`);
  console.log(`phase      stalls>${STALL_MS}  longest ms  commits  p50 ms  p99 ms  max ms`);
  line('baseline', baseline.stalls, baseline.commits);
  line('job', during.stalls, during.commits);
  for (const [name, list] of stallsByStep) console.log(`  ${name.padEnd(22)} stalls>${STALL_MS}: ${String(list.length).padStart(4)}, longest ${Math.max(...list).toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
