/**
 * The retention benchmark: does the server's retention job hold up ingest? In one run:
 *  1. fills a SQLite database with CALLS calls (the argument; default 20000) through the real
 *     ingest path (raw requests, rollups), every one old enough for some limit, plus 5 %
 *     quarantined requests, spread over the 100 days before now;
 *  2. starts a real server (child process) with RETENTION_RAW_DAYS=30, RETENTION_QUARANTINE_DAYS=30,
 *     RETENTION_CALLS_DAYS=60, RETENTION_TRUNCATE_IPS_DAYS=7;
 *  3. baseline: a steady ingest load (autocannon at BENCH_RATE requests/s, distinct sids) for
 *     BENCH_BASELINE_SEC seconds, without retention;
 *  4. the same load for BENCH_DURING_SEC seconds, the server running its retention job once
 *     from the start (the ingest figures then cover the job and the time after it).
 * Reports, for both phases, ingest latency p50/p99/max and the server's event-loop delay
 * max (perf_hooks.monitorEventLoopDelay in the server). Target: the job never blocks the
 * event loop (so ingest) for more than 50 ms.
 * Run: npx tsx bench/retention/run.ts 20000
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { fillRetentionBench } from './fill-retention-bench.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const BASELINE_SEC = Number(process.env.BENCH_BASELINE_SEC ?? 5);
/** How long the load runs once the job starts: longer than the job (the bench says when not). */
const DURING_SEC = Number(process.env.BENCH_DURING_SEC ?? 10);
const CONNECTIONS = 20;
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

function load(url: string, seconds: number) {
  const query = new URLSearchParams(validCallbackValues({ sid: 'SID' })).toString();
  return autocannon({
    url, connections: CONNECTIONS, duration: seconds, overallRate: RATE,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${query.replace('SID', randomUUID())}` }) }],
  });
}

const summary = (r: Result) => ({ requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, non2xx: r.non2xx + r.errors + r.timeouts });

const dir = mkdtempSync(join(tmpdir(), 'callevt-retention-bench-'));
try {
  const file = join(dir, 'bench.db');
  const now = Date.now();
  const filling = performance.now();
  await fillRetentionBench(file, CALLS, now);
  console.log(`filled ${CALLS} deliveries in ${((performance.now() - filling) / 1000).toFixed(1)} s`);
  const server = await startServer(file);
  try {
    await ask(server, 'reset');
    const baseline = summary(await load(server.url, BASELINE_SEC));
    const baselineLoop = await ask<{ loopMaxMs: number; loopP99Ms: number }>(server, 'read');

    const running = load(server.url, DURING_SEC);
    const job = await ask<{ jobMs: number; report: unknown; loopMaxMs: number; loopP99Ms: number }>(server, 'run');
    const during = summary(await running);
    if (job.jobMs > DURING_SEC * 1000) console.log(`the job outlasted the load (${DURING_SEC} s): raise BENCH_DURING_SEC`);
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.stdin?.write('stop\n');
    await exited;

    console.log(JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, calls: CALLS, rate: RATE }));
    console.log(`retention job: ${job.jobMs.toFixed(0)} ms, ${JSON.stringify(job.report)}`);
    console.log(`longest retention transaction: ${(job.report as { longestBatchMs: number }).longestBatchMs.toFixed(1)} ms`);
    console.log('phase       requests  p50 ms  p99 ms  max ms  failed  loop p99 ms  loop max ms');
    const row = (name: string, r: ReturnType<typeof summary>, l: { loopP99Ms: number; loopMaxMs: number }) =>
      console.log(`${name.padEnd(10)} ${String(r.requests).padStart(9)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.max).padStart(7)} ${String(r.non2xx).padStart(7)} ${l.loopP99Ms.toFixed(1).padStart(12)} ${l.loopMaxMs.toFixed(1).padStart(12)}`);
    row('baseline', baseline, baselineLoop);
    row('retention', during, job);
    // On SQLite a transaction runs on the event loop: the longest one is the longest the job held ingest.
    const longest = (job.report as { longestBatchMs: number }).longestBatchMs;
    console.log(`target (50 ms): longest transaction ${longest <= 50 ? 'met' : 'MISSED'}; event-loop delay max ${job.loopMaxMs <= 50 ? 'met' : 'MISSED'} (baseline ${baselineLoop.loopMaxMs.toFixed(1)} ms without the job)`);
  } finally {
    server.child.kill('SIGTERM');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
