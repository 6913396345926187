/**
 * The retention benchmark: does the server's retention job hold up ingest? In one run:
 *  1. fills a SQLite database with CALLS calls (the argument; default 20000) through the real
 *     ingest path (raw requests, rollups), every one old enough for some limit, plus 5 %
 *     quarantined requests, spread over the 100 days before now, stored oldest first
 *     (BENCH_FILL=shuffled: in random order, the earlier fill);
 *  2. starts a real server (child process) with RETENTION_RAW_DAYS=30, RETENTION_QUARANTINE_DAYS=30,
 *     RETENTION_CALLS_DAYS=60, RETENTION_TRUNCATE_IPS_DAYS=7;
 *  3. warm-up: WARMUP_SEC of the load below, not counted;
 *  4. baseline: a steady open-loop ingest load (bench/ingest/fixed-rate-load.ts: request i due
 *     at start + i / BENCH_RATE, its latency counted from then; live calls of 1–1,200 s ending
 *     now, new sids) for BENCH_BASELINE_SEC seconds, without retention;
 *  5. the same load for BENCH_DURING_SEC seconds, the server running its retention job once
 *     from the start (the ingest figures then cover the job and the time after it).
 * Reports, for both phases, ingest latency p50/p99/max and the server's event-loop delay
 * (perf_hooks.monitorEventLoopDelay in the server at a 1 ms resolution: each sample is the
 * time between two ticks of a 1 ms timer, so a block shows as its length plus at most
 * 1 ms), and the job's longest transaction. Target: the job never blocks the event loop (so
 * ingest) for more than 50 ms; the measure is the largest event-loop delay while the job
 * runs against the same server's largest without it, in the same run.
 * Run: BENCH_RATE=200 BENCH_BASELINE_SEC=10 BENCH_DURING_SEC=12 npx tsx bench/retention/run.ts 20000
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type FixedRateResult, runFixedRateInChild } from '../ingest/fixed-rate-load.js';
import { fillRetentionBench } from './fill-retention-bench.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const WARMUP_SEC = 3;
const BASELINE_SEC = Number(process.env.BENCH_BASELINE_SEC ?? 10);
/** How long the load runs once the job starts: longer than the job (the bench says when not). */
const DURING_SEC = Number(process.env.BENCH_DURING_SEC ?? 12);
const CONNECTIONS = 20;
/** `time` (default): the old deliveries stored oldest first, as a server receives them; `shuffled`: in random order (fill-retention-bench.ts). */
const FILL_ORDER = process.env.BENCH_FILL === 'shuffled' ? 'shuffled' : 'time';
const root = fileURLToPath(new URL('../..', import.meta.url));

function startServer(file: string): Promise<{ child: ChildProcess; lines: Interface; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/retention/server.ts'], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: file, PORT: '0', RETENTION_RAW_DAYS: '30', RETENTION_QUARANTINE_DAYS: '30',
      RETENTION_CALLS_DAYS: '60', RETENTION_TRUNCATE_IPS_DAYS: '7',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve, reject) => {
    lines.once('line', (line) => resolve({ child, lines, url: (JSON.parse(line) as { url: string }).url }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** Sends a command to the server and resolves with its JSON answer. */
function ask<T>(server: { child: ChildProcess; lines: Interface }, command: string): Promise<T> {
  return new Promise((resolve) => {
    server.lines.once('line', (line) => resolve(JSON.parse(line) as T));
    server.child.stdin?.write(`${command}\n`);
  });
}

/** The open-loop load: live calls (each built afresh, ending now), evenly spaced. */
function load(url: string, seconds: number): Promise<FixedRateResult> {
  return runFixedRateInChild(url, RATE, seconds, CONNECTIONS, '', '', true);
}

interface Loop {
  loopMaxMs: number;
  loopP99Ms: number;
  walHandOffs: number | null;
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-retention-bench-'));
try {
  const file = join(dir, 'bench.db');
  const now = Date.now();
  const filling = performance.now();
  await fillRetentionBench(file, CALLS, now, FILL_ORDER);
  console.log(`filled ${CALLS} deliveries in ${((performance.now() - filling) / 1000).toFixed(1)} s`);
  const server = await startServer(file);
  try {
    await load(server.url, WARMUP_SEC);
    const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
    await ask(server, 'reset');
    const baseline = await load(server.url, BASELINE_SEC);
    const baselineLoop = await ask<Loop>(server, 'read');

    const running = load(server.url, DURING_SEC);
    const job = await ask<{ jobMs: number; startedAt: number; report: { longestBatchMs: number }; timeline: Array<{ atMs: number; event: string }> } & Loop>(server, 'run');
    const during = await running;
    const afterJob = await ask<Loop>(server, 'read');
    if (job.jobMs > DURING_SEC * 1000) console.log(`the job outlasted the load (${DURING_SEC} s): raise BENCH_DURING_SEC`);
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.stdin?.write('stop\n');
    await exited;

    console.log(JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, calls: CALLS, fill: FILL_ORDER, rate: RATE, at: new Date().toISOString() }));
    console.log(`load average ${loadBefore} before the baseline, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after the job`);
    console.log(`retention job: ${job.jobMs.toFixed(0)} ms, ${JSON.stringify(job.report)}`);
    console.log(`WAL hand-offs: ${baselineLoop.walHandOffs} by the end of the baseline, ${job.walHandOffs} by the end of the job, ${afterJob.walHandOffs} by the end of the load`);
    console.log(`slowest request of the retention phase due ${(during.maxDueAt ?? Number.NaN) - job.startedAt} ms after the job started (it took ${job.jobMs.toFixed(0)} ms); event-loop delay max ${afterJob.loopMaxMs.toFixed(1)} ms after the job`);
    if (process.env.BENCH_TIMELINE === '1') console.log(`job timeline (ms since its start): ${job.timeline.map((e) => `${e.atMs} ${e.event}`).join('; ')}`);
    console.log('phase       requests  p50 ms  p99 ms  max ms  failed  loop p99 ms  loop max ms  longest tx ms');
    const row = (name: string, r: FixedRateResult, l: Loop, tx: string) =>
      console.log(`${name.padEnd(10)} ${String(r.ok + r.failed).padStart(9)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)} ${r.max.toFixed(1).padStart(7)} ${String(r.failed).padStart(7)} ${l.loopP99Ms.toFixed(1).padStart(12)} ${l.loopMaxMs.toFixed(1).padStart(12)} ${tx.padStart(14)}`);
    row('baseline', baseline, baselineLoop, '-');
    row('retention', during, job, job.report.longestBatchMs.toFixed(1));
    // On SQLite a transaction runs on the event loop: the longest one is the longest the job held ingest.
    const longest = job.report.longestBatchMs;
    console.log(`target (50 ms): longest transaction ${longest <= 50 ? 'met' : 'MISSED'}; largest event-loop delay during the job ${job.loopMaxMs.toFixed(1)} ms ${job.loopMaxMs <= 50 ? 'met' : 'MISSED'} (${baselineLoop.loopMaxMs.toFixed(1)} ms without the job, same server, same run)`);
  } finally {
    server.child.kill('SIGTERM');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
