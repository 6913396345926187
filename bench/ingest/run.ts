/**
 * The ingest benchmark (bounded, loopback only, fixed connections). Measures, in one run:
 *  (a) callevt's durable ingest vs a bare node:http server that only decodes the query;
 *  (b) group commit vs one commit per request (INGEST_MAX_BATCH=1);
 *  (c) ingest into a database already holding FILLED_CALLS calls vs an empty one;
 *  (d) the same server driven by wrk, an external load generator (Debian's `wrk`), and at a
 *      fixed rate of half the group-commit case's throughput in the same round: an open loop
 *      from a process of its own (fixed-rate-load.ts), latency counted from each request's
 *      due time (no coordinated omission); and the same with live talk times of 1–1,200 s
 *      (`fixed-varied`), whose duration histograms make every rollup row the batch touches large;
 *      the same open loop against the bare server (`bare-fixed`): the generator's own floor.
 *      The open loop sends from a lean socket client by default (BENCH_GENERATOR=sockets;
 *      `node-http`: node:http's Agent, as before);
 *  (e) the disk alone (`disk`, bench/notify/disk-floor.ts): the fixed case's commits a second,
 *      each writing as many bytes as that server wrote to storage per commit (/proc/<pid>/io),
 *      then fdatasync, no HTTP, no SQLite: the floor under the fixed case's latency.
 * Beside each case: the server's own event-loop delay during the load (p50, p99 and max beyond
 * the 10 ms sampling interval, from perf_hooks.monitorEventLoopDelay through /metrics'
 * nodejs_eventloop_lag_* gauges), and its CPU per request and main thread's busy share (/proc).
 * Every request carries a distinct sid. Servers run as child processes; autocannon
 * drives them from this process. The cases run interleaved for several rounds (other
 * work on a shared machine then disturbs them alike) and medians are reported.
 * Run: npx tsx bench/ingest/run.ts
 * Add `--db postgres://postgres@127.0.0.1:5432/test` (or BENCH_PG_URL) to measure PostgreSQL too.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import Database from 'better-sqlite3';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { measureDiskFloor } from '../notify/disk-floor.js';
import { fillCalls } from './fill-calls.js';
import { type FixedRateResult, generatorClient, runFixedRateInChild } from './fixed-rate-load.js';
import { wrkAvailable, wrkLoad } from './wrk-load.js';
import { benchPostgresUrl, createBenchSchema } from '../postgres/bench-schema.js';

const CONNECTIONS = 50;
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 5);
const WARMUP_SEC = 1;
/** The fixed-rate generator's own warm-up, seconds (BENCH_GENERATOR_WARMUP_SEC=0: none, as before). */
const GENERATOR_WARMUP_SEC = Number(process.env.BENCH_GENERATOR_WARMUP_SEC ?? 1);
/** Cases run interleaved, round after round, so that load from other work on the machine hits them alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FILLED_CALLS = Number(process.env.BENCH_FILLED_CALLS ?? 1_000_000);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** What one load reports (latencies in ms): every driver's outcome has the open-loop generator's shape. */
type LoadOutcome = FixedRateResult;

interface Measured extends LoadOutcome {
  name: string;
  /** The server's event-loop delay beyond the 10 ms sampling interval during the load, ms (NaN where the server has no /metrics). */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  /** SQLite: size of the -wal file when the load ended (it grows without end if checkpoints never let it restart). */
  walMiB?: number;
  /** Commit transactions a second during the load (callevt_commit_batch_size_count), and the bytes the server wrote to storage per commit (/proc/<pid>/io write_bytes: WAL and checkpoints). */
  commitsPerSec?: number;
  bytesPerCommit?: number;
  /**
   * The server's CPU during the load (/proc/<pid>/stat, every thread), µs per answered request,
   * and the share of the load's wall time its main thread was on a core: half the closed-loop
   * rate is not half the work when commits hold fewer deliveries.
   */
  cpuPerRequestUs?: number;
  mainBusy?: number;
}

/** CPU seconds a process (every thread) and its main thread have used (NaN where /proc cannot tell). */
function cpuSeconds(pid: number | undefined): { all: number; main: number } {
  const ticks = (path: string) => {
    try {
      // utime and stime: fields 14 and 15, counted after the command name's closing parenthesis.
      const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SEC;
    } catch {
      return Number.NaN;
    }
  };
  return { all: ticks(`/proc/${pid}/stat`), main: ticks(`/proc/${pid}/task/${pid}/stat`) };
}

/** Linux's USER_HZ, which /proc/<pid>/stat counts in (100 on every common kernel; `getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SEC = 100;

/** What a server child has written to storage so far and how many commits it made (NaN where it cannot be read). */
async function writesAndCommits(pid: number | undefined, url: string): Promise<{ bytes: number; commits: number }> {
  let bytes = Number.NaN;
  try {
    bytes = Number(/^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    // not Linux, or not allowed: the disk case then has nothing to replay
  }
  const res = await fetch(`${url}/metrics`);
  const text = res.ok ? await res.text() : '';
  return { bytes, commits: Number(/^callevt_commit_batch_size_count (\d+)$/m.exec(text)?.[1] ?? Number.NaN) };
}

/** Starts a server child process and resolves with the URL from its first JSON log line that has one. */
function start(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolve({ child, url: entry.url });
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The callback query around its sid, so that each request can carry a new one. */
function queryAroundSid(): { before: string; after: string } {
  const values = validCallbackValues();
  const [before = '', after = ''] = new URLSearchParams(values).toString().split(values.sid ?? '');
  return { before, after };
}

/** Drives the server at `url` for `seconds`. */
type Driver = (url: string, seconds: number, dir: string) => Promise<LoadOutcome>;

/** Fires distinct-sid callbacks at one URL for `seconds` from autocannon, closed loop. */
function autocannonDriver(): Driver {
  return async (url, seconds) => {
    const { before, after } = queryAroundSid();
    const result: Result = await autocannon({
      url,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${before}${randomUUID()}${after}` }) }],
    });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      p999: result.latency.p99_9,
      max: result.latency.max,
      ok: result['2xx'],
      failed: result.non2xx + result.errors + result.timeouts,
    };
  };
}

/**
 * Open loop at a fixed rate, from a process of its own (fixed-rate-load.ts): evenly spaced
 * requests, latency counted from each one's due time. The generator warms up in the same
 * process, on the same connections, before it measures: a fresh generator's first few hundred
 * milliseconds (its code compiled, 50 connections opened while requests fall due) were the
 * slowest 1 % of a 10 s run on their own (bench/README.md, "The WAL hand-off during the fsync").
 */
function fixedRateDriver(rate: () => number, varied = false): Driver {
  return (url, seconds) => {
    const { before, after } = queryAroundSid();
    return runFixedRateInChild(url, rate(), seconds, CONNECTIONS, before, after, varied, GENERATOR_WARMUP_SEC);
  };
}

/** wrk in a process of its own; it reports no p99.9 (NaN). */
const wrkDriver: Driver = async (url, seconds, dir) => ({ ...(await wrkLoad(dir, url, queryAroundSid(), seconds, CONNECTIONS)), p999: Number.NaN });

/**
 * prom-client samples the event loop every 10 ms (monitorEventLoopDelay's resolution, its
 * default eventLoopMonitoringPrecision) and records the whole interval between samples: an
 * idle loop reads 10–12 ms. The stall is what exceeds the interval.
 */
const LOOP_SAMPLE_INTERVAL_MS = 10;

/**
 * The event-loop gauges of /metrics, less the sampling interval: how long the loop was held
 * beyond it (p50, p99, max). Reading them also resets prom-client's delay histogram.
 */
async function eventLoopDelay(url: string): Promise<{ p50: number; p99: number; max: number }> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) return { p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const text = await res.text();
  const gauge = (name: string) =>
    Math.max(0, Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000 - LOOP_SAMPLE_INTERVAL_MS);
  return { p50: gauge('nodejs_eventloop_lag_p50_seconds'), p99: gauge('nodejs_eventloop_lag_p99_seconds'), max: gauge('nodejs_eventloop_lag_max_seconds') };
}

async function measure(name: string, args: string[], env: Record<string, string>, db?: string, drive: Driver = autocannonDriver(), dir = tmpdir()): Promise<Measured> {
  const { child, url } = await start(args, env);
  try {
    // Steady state only: whatever the server does right after it starts listening (e.g. scanning
    // for calls to reclassify) ends before the load starts. How long that took is reported.
    const started = performance.now();
    await fetch(`${url}/readyz`).then((res) => res.arrayBuffer());
    const readyMs = performance.now() - started;
    if (readyMs > 100) process.stdout.write(`  (${name}: /readyz answered ${readyMs.toFixed(0)} ms after listening)\n`);
    await drive(url, WARMUP_SEC, dir);
    await eventLoopDelay(url); // starts the delay histogram afresh
    const before = await writesAndCommits(child.pid, url);
    const cpuBefore = cpuSeconds(child.pid);
    const loadStarted = performance.now();
    const outcome = await drive(url, DURATION_SEC, dir);
    const loadSec = (performance.now() - loadStarted) / 1000;
    const cpuAfter = cpuSeconds(child.pid);
    const loop = await eventLoopDelay(url);
    const after = await writesAndCommits(child.pid, url);
    const commits = after.commits - before.commits;
    const measured: Measured = {
      name, ...outcome, loopP50: loop.p50, loopP99: loop.p99, loopMax: loop.max,
      commitsPerSec: commits / loadSec, bytesPerCommit: (after.bytes - before.bytes) / commits,
      cpuPerRequestUs: ((cpuAfter.all - cpuBefore.all) * 1e6) / (outcome.ok + outcome.failed), mainBusy: (cpuAfter.main - cpuBefore.main) / loadSec,
    };
    if (db !== undefined && existsSync(`${db}-wal`)) measured.walMiB = statSync(`${db}-wal`).size / 2 ** 20;
    return measured;
  } finally {
    await stop(child);
    if (db !== undefined) process.stdout.write(`  (${name}: ${countCalls(db)} calls stored)\n`);
  }
}

function countCalls(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function callevt(db: string, tree = root): string[] {
  return [join(tree, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db];
}

/**
 * Other checkouts of callevt (BENCH_BASELINE_TREE, comma-separated, e.g. exports of earlier
 * commits) as the cases 'baseline', 'baseline2', …: before/after in one run.
 */
const BASELINE_TREES = (process.env.BENCH_BASELINE_TREE ?? '').split(',').filter((t) => t !== '');

interface Case {
  key: string;
  name: string;
  run: (dir: string, round: number) => Promise<Measured>;
}

/** The same load on PostgreSQL when `--db postgres://...` (or BENCH_PG_URL) is given: a throwaway schema per round. */
function postgresCases(): Case[] {
  const pgUrl = benchPostgresUrl();
  if (pgUrl === null) return [];
  // The spool (on by default with PostgreSQL) gets a fresh file per round in the bench directory.
  const run = (key: string, env: Record<string, string>) => async (dir: string, round: number) => {
    const schema = await createBenchSchema(pgUrl);
    try {
      const measured = await measure(key, callevt(schema.url), { SPOOL_FILE: join(dir, `spool-${key}-${round}.db`), ...env });
      process.stdout.write(`  (${key}: ${await schema.countCalls()} calls stored)\n`);
      return measured;
    } finally {
      await schema.drop();
    }
  };
  return [
    { key: 'pg', name: 'callevt on PostgreSQL, group commit, empty schema', run: run('pg', {}) },
    { key: 'pg-nospool', name: 'callevt on PostgreSQL, group commit, empty schema, SPOOL_FILE=off', run: run('pg-nospool', { SPOOL_FILE: 'off' }) },
    { key: 'pg-single', name: 'callevt on PostgreSQL, one commit per request (INGEST_MAX_BATCH=1)', run: run('pg-single', { INGEST_MAX_BATCH: '1' }) },
  ];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-'));
  const only = process.env.BENCH_ONLY?.split(',');
  const filled = join(dir, 'filled.db');
  /** callevt from `tree` on a fresh, empty SQLite file per round. */
  const emptyCase = (key: string, name: string, tree = root, env: Record<string, string> = {}, drive?: Driver): Case => ({
    key,
    name,
    run: (d, r) => {
      const file = join(d, `${key}-${r}.db`);
      return measure(key, callevt(file, tree), env, file, drive, d);
    },
  });
  /** The latest fixed-rate case: the disk case replays its commits a second and bytes per commit. */
  let latestFixed: Measured | null = null;
  /** Half the group-commit case's throughput in the latest round (or BENCH_FIXED_RATE). */
  let latestGroupRps = Number(process.env.BENCH_FIXED_RATE ?? 2_000) * 2;
  const halfRate = () => Math.max(1, Math.round(latestGroupRps / 2));
  /** callevt from `tree` on a fresh copy of the filled file per round: every round starts from the same state. */
  const filledCase = (key: string, name: string, tree = root): Case => ({
    key,
    name,
    run: (d, r) => {
      const file = join(d, `${key}-${r}.db`);
      copyFileSync(filled, file);
      return measure(key, callevt(file, tree), {}, file);
    },
  });
  const holdingFilled = `db holding ${FILLED_CALLS.toLocaleString('en')} calls`;
  const baselines = BASELINE_TREES.map((tree, i) => ({
    tree,
    key: i === 0 ? 'baseline' : `baseline${i + 1}`,
    label: `callevt at ${tree.split('/').filter(Boolean).at(-1)}`,
  }));
  const cases: Case[] = [
    { key: 'bare', name: 'bare node:http (decode query, 200)', run: (d: string) => measure('bare', [join(root, 'bench/ingest/bare-server.ts')], {}, undefined, undefined, d) },
    emptyCase('group', 'callevt, group commit, empty db'),
    ...((await wrkAvailable()) ? [emptyCase('wrk', 'callevt, group commit, empty db, driven by wrk', root, {}, wrkDriver)] : []),
    emptyCase('fixed', 'callevt, group commit, empty db, fixed rate: half of the group case', root, {}, fixedRateDriver(halfRate)),
    // The generator's own floor: the same open loop at the same rate against the bare server.
    { key: 'bare-fixed', name: 'bare node:http, fixed rate: half of the group case (the generator\'s floor)', run: (d: string) => measure('bare-fixed', [join(root, 'bench/ingest/bare-server.ts')], {}, undefined, fixedRateDriver(halfRate), d) },
    emptyCase('fixed-varied', 'callevt, group commit, empty db, fixed rate: half of the group case, talk times 1–1,200 s', root, {}, fixedRateDriver(halfRate, true)),
    {
      key: 'disk',
      name: "the disk alone: the fixed case's commits a second, each its bytes written per commit + fdatasync",
      run: async (d: string) => {
        const fixed = latestFixed;
        if (fixed === null || !(fixed.commitsPerSec! > 0) || !(fixed.bytesPerCommit! > 0)) throw new Error("the disk case replays the 'fixed' case: run it first in the round (BENCH_ONLY=…,fixed,disk) on Linux");
        const disk = await measureDiskFloor(d, fixed.commitsPerSec!, DURATION_SEC, fixed.bytesPerCommit!);
        process.stdout.write(`  (disk: ${disk.writes} writes of ${(fixed.bytesPerCommit! / 1024).toFixed(0)} KiB at ${fixed.commitsPerSec!.toFixed(0)}/s, ${disk.syncs} fdatasyncs)\n`);
        return {
          name: 'disk', rps: fixed.commitsPerSec!, p50: round1(disk.p50), p99: round1(disk.p99), p999: Number.NaN, max: round1(disk.max), ok: disk.writes, failed: 0,
          loopP50: Number.NaN, loopP99: Number.NaN, loopMax: Number.NaN,
        };
      },
    },
    ...baselines.map((b) => emptyCase(b.key, `${b.label}, group commit, empty db`, b.tree)),
    // The external-generator and fixed-rate cases for each baseline tree too ('baseline-wrk', 'baseline-fixed', …).
    ...((await wrkAvailable()) ? baselines.map((b) => emptyCase(`${b.key}-wrk`, `${b.label}, group commit, empty db, driven by wrk`, b.tree, {}, wrkDriver)) : []),
    ...baselines.map((b) => emptyCase(`${b.key}-fixed`, `${b.label}, group commit, empty db, fixed rate: half of the group case`, b.tree, {}, fixedRateDriver(halfRate))),
    ...baselines.map((b) => emptyCase(`${b.key}-fixed-varied`, `${b.label}, group commit, empty db, fixed rate: half of the group case, talk times 1–1,200 s`, b.tree, {}, fixedRateDriver(halfRate, true))),
    emptyCase('single', 'callevt, one commit per request (INGEST_MAX_BATCH=1), empty db', root, { INGEST_MAX_BATCH: '1' }),
    filledCase('filled', `callevt, group commit, ${holdingFilled}`),
    // The filled case for each baseline tree too ('baseline-filled', …), from a copy of the same fill.
    ...baselines.map((b) => filledCase(`${b.key}-filled`, `${b.label}, group commit, ${holdingFilled}`, b.tree)),
    ...postgresCases(),
  ].filter((c) => only === undefined || only.includes(c.key));
  try {
    if (cases.some((c) => c.key === 'filled' || c.key.endsWith('-filled'))) {
      const started = Date.now();
      fillCalls(filled, FILLED_CALLS);
      process.stdout.write(`  (filled ${FILLED_CALLS} calls in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
    const byCase = new Map<string, Measured[]>(cases.map((c) => [c.name, []]));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const c of cases) {
        const m = await c.run(dir, round);
        byCase.get(c.name)?.push(m);
        if (c.key === 'group') latestGroupRps = m.rps;
        if (c.key === 'fixed') latestFixed = m;
        const wal = (m.walMiB === undefined ? '' : `, WAL ${m.walMiB.toFixed(1)} MiB at the end`) +
          (m.commitsPerSec === undefined ? '' : `, ${m.commitsPerSec.toFixed(0)} commits/s, ${((m.bytesPerCommit ?? Number.NaN) / 1024).toFixed(1)} KiB written per commit`);
        const cpu = m.cpuPerRequestUs === undefined ? '' : `, server CPU ${m.cpuPerRequestUs.toFixed(0)} µs per request, main thread busy ${((m.mainBusy ?? Number.NaN) * 100).toFixed(0)} %`;
        process.stdout.write(`  round ${round} ${c.key}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, p99.9 ${m.p999} ms, ` +
          `max ${m.max} ms, event loop p50 ${m.loopP50.toFixed(1)} p99 ${m.loopP99.toFixed(1)} ms max ${m.loopMax.toFixed(1)} ms, failed ${m.failed}${wal}${cpu}\n`);
      }
    }
    report(cases.map((c) => ({ name: c.name, rounds: byCase.get(c.name) ?? [] })));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function report(results: Array<{ name: string; rounds: Measured[] }>): void {
  const cpu = cpus()[0]?.model ?? 'unknown';
  process.stdout.write(`\n${cpus().length} CPUs (${cpu}), Node ${process.version}, ${CONNECTIONS} connections, ` +
    `${ROUNDS} interleaved rounds of ${DURATION_SEC} s (after ${WARMUP_SEC} s warm-up) per case; medians over rounds\n\n`);
  process.stdout.write(`generator: ${generatorClient()} (BENCH_GENERATOR)\n\n`);
  process.stdout.write('| case | req/s | ratio to first row (per-round range) | p50 ms | p99 ms | p99.9 ms | max ms (worst round) | loop p50 ms | loop p99 ms | loop max ms (worst round) | server CPU µs/request | main thread busy | 2xx | failed |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
  const base = results[0];
  for (const r of results) {
    const rps = median(r.rounds.map((m) => m.rps));
    const ratios = base === undefined ? [1] : r.rounds.map((m, i) => m.rps / (base.rounds[i]?.rps ?? m.rps));
    const ratio = base === undefined ? 1 : rps / median(base.rounds.map((m) => m.rps));
    const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
    const ok = r.rounds.reduce((n, m) => n + m.ok, 0);
    const failed = r.rounds.reduce((n, m) => n + m.failed, 0);
    const worst = (pick: (m: Measured) => number) => Math.max(...r.rounds.map(pick)).toFixed(1);
    process.stdout.write(`| ${r.name} | ${rps.toFixed(0)} | ${ratio.toFixed(2)}× (${range}) | ${median(r.rounds.map((m) => m.p50))} | ` +
      `${median(r.rounds.map((m) => m.p99))} | ${median(r.rounds.map((m) => m.p999))} | ${worst((m) => m.max)} | ` +
      `${median(r.rounds.map((m) => m.loopP50)).toFixed(1)} | ${median(r.rounds.map((m) => m.loopP99)).toFixed(1)} | ${worst((m) => m.loopMax)} | ` +
      `${median(r.rounds.map((m) => m.cpuPerRequestUs ?? Number.NaN)).toFixed(0)} | ${(median(r.rounds.map((m) => m.mainBusy ?? Number.NaN)) * 100).toFixed(0)} % | ${ok} | ${failed} |\n`);
  }
}

await main();
