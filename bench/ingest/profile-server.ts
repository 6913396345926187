/**
 * CPU profile of `callevt serve` under the ingest benchmark's load (bounded, loopback):
 * starts the server with `node --cpu-prof` on a fresh temp SQLite file, sends distinct-sid
 * callbacks from 50 connections for PROFILE_SECONDS, stops it with SIGTERM (which writes
 * the profile) and prints the server's CPU time per request and the functions with the
 * most self time, per thread, and the main thread's stalls (STALL_MS or more without an
 * idle sample) with what ran in them. PROFILE_RATE=n: an open-loop load of n requests/s
 * (PROFILE_VARIED=1: with live talk times).
 * Run (one benchmark at a time, under the shared bench lock): npx tsx bench/ingest/profile-server.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { runFixedRate } from './fixed-rate-load.js';

const CONNECTIONS = 50;
const PROFILE_SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
/** Functions listed per profile. */
const TOP_FUNCTIONS = 25;
/** A throwaway API token, to read the server's /metrics after the load. */
const METRICS_TOKEN = 'profile-server-metrics-token-0123456789';
const root = fileURLToPath(new URL('../..', import.meta.url));

/** With PROFILE_RATE set: an open-loop load at that many requests/s (fixed-rate-load.ts) instead of 50 closed-loop connections. */
const PROFILE_RATE = process.env.PROFILE_RATE === undefined ? undefined : Number(process.env.PROFILE_RATE);
/** PROFILE_VARIED=1 (with PROFILE_RATE): live talk times of 1–1,200 s (fixed-rate-load.ts), not the fixture's one. */
const PROFILE_VARIED = process.env.PROFILE_VARIED === '1';
/** A stretch of the main thread busy without a break (no idle sample) this long is reported as a stall, ms. */
const STALL_MS = 20;
/** Stalls listed, longest first, each with the functions of most self time within it. */
const TOP_STALLS = 8;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

function frameName(frame: ProfileNode['callFrame']): string {
  const where = frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1')}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

/** Self samples per function, most first, as report lines. */
function topFunctions(names: readonly string[], limit: number, indent: string): string[] {
  const self = new Map<string, number>();
  for (const name of names) self.set(name, (self.get(name) ?? 0) + 1);
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit)
    .map(([name, n]) => `${indent}${((100 * n) / names.length).toFixed(1).padStart(5)} %  ${name}`);
}

/**
 * The stretches in which the thread never went idle for STALL_MS or more (the event loop
 * was held that long), longest first, with what ran in each.
 */
function stalls(profile: Profile, names: readonly string[]): string[] {
  const found: Array<{ ms: number; names: string[] }> = [];
  let busyMs = 0;
  let inStretch: string[] = [];
  const close = () => {
    if (busyMs >= STALL_MS) found.push({ ms: busyMs, names: inStretch });
    busyMs = 0;
    inStretch = [];
  };
  names.forEach((name, i) => {
    if (name === '(idle)') {
      close();
      return;
    }
    busyMs += (profile.timeDeltas[i] ?? 0) / 1000;
    inStretch.push(name);
  });
  close();
  found.sort((a, b) => b.ms - a.ms);
  const total = found.reduce((n, s) => n + s.ms, 0);
  return [
    `${found.length} stretches busy for ${STALL_MS} ms or more (${total.toFixed(0)} ms in all); the longest:`,
    ...found.slice(0, TOP_STALLS).flatMap((s) => [`  ${s.ms.toFixed(1)} ms:`, ...topFunctions(s.names, 5, '    ')]),
  ];
}

function summarize(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const names = profile.samples.map((id) => {
    const frame = byId.get(id)?.callFrame;
    return frame === undefined ? '(unknown)' : frameName(frame);
  });
  const total = names.length;
  const idle = names.filter((n) => n === '(idle)').length;
  return [`${total} samples, ${((100 * (total - idle)) / total).toFixed(0)} % busy`, ...topFunctions(names, TOP_FUNCTIONS, '  '), ...stalls(profile, names)].join('\n');
}

/** User + system CPU seconds of a process, all threads (from /proc; Linux only). */
function cpuSeconds(pid: number): number {
  return statSeconds(`/proc/${pid}/stat`);
}

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** User + system CPU seconds from a /proc stat file (a process or one of its threads). */
function statSeconds(file: string): number {
  const fields = readFileSync(file, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** CPU seconds per thread name of a process (threads of the same name summed), Linux only. */
function threadSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const key = name === 'node' ? `node[${tid === String(pid) ? 'main' : tid}]` : name;
      byName.set(key, (byName.get(key) ?? 0) + statSeconds(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return byName;
}

/** Idle and total jiffies of the whole machine (first line of /proc/stat). */
function machineJiffies(): { idle: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
}

/** The fixed-rate load, in autocannon's result shape (the fields read below). */
async function fixedRate(url: string, rate: number, before: string, after: string) {
  const r = await runFixedRate(url, rate, PROFILE_SECONDS, CONNECTIONS, before, after, PROFILE_VARIED);
  return { requests: { average: r.rps, total: r.ok + r.failed }, latency: { p50: r.p50.toFixed(1), p99: r.p99.toFixed(1) } };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-profile-'));
  try {
    const db = join(dir, 'calls.db');
    const server = [join(root, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db];
    // PROFILE_CPU_PROF=0: the same load and CPU figures without the profiler's own cost.
    const prof = process.env.PROFILE_CPU_PROF === '0' ? [] : ['--cpu-prof', '--cpu-prof-dir', dir];
    const child = spawn(process.execPath, [...prof, '--import', 'tsx', ...server], {
      cwd: root, env: { ...process.env, LOG_LEVEL: 'info', API_TOKEN: METRICS_TOKEN }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = await new Promise<string>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        try {
          const entry = JSON.parse(line) as { url?: string };
          if (entry.url) resolve(entry.url);
        } catch {
          // not a log line
        }
      });
    });
    const values = validCallbackValues();
    const [before, after] = new URLSearchParams(values).toString().split(values.sid ?? '');
    const cpuBefore = cpuSeconds(child.pid ?? 0);
    const threadsBefore = threadSeconds(child.pid ?? 0);
    const machineBefore = machineJiffies();
    const result = PROFILE_RATE === undefined
      ? await autocannon({
        url, connections: CONNECTIONS, duration: PROFILE_SECONDS,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${before}${randomUUID()}${after}` }) }],
      })
      : await fixedRate(url, PROFILE_RATE, before ?? '', after ?? '');
    const cpu = cpuSeconds(child.pid ?? 0) - cpuBefore;
    const machineAfter = machineJiffies();
    const threads = [...threadSeconds(child.pid ?? 0)]
      .map(([name, s]) => [name, s - (threadsBefore.get(name) ?? 0)] as const)
      .filter(([, s]) => s >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    const idle = (machineAfter.idle - machineBefore.idle) / (machineAfter.total - machineBefore.total);
    process.stdout.write(`${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms under the profiler; ` +
      `server CPU ${cpu.toFixed(1)} s = ${((1e6 * cpu) / result.requests.total).toFixed(0)} µs per request (all threads)\n` +
      `server CPU by thread (s of ${PROFILE_SECONDS} s): ${threads.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(', ')}; ` +
      `machine idle ${(100 * idle).toFixed(0)} % (all cores)\n`);
    const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).then((r) => r.text());
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const batches = metric('callevt_commit_batch_size_count');
    process.stdout.write(`${batches} commits, ${(metric('callevt_commit_batch_size_sum') / batches).toFixed(1)} deliveries per commit on average, ` +
      `${((1000 * metric('callevt_commit_duration_seconds_sum')) / batches).toFixed(2)} ms per commit (with its flush)\n`);
    child.kill('SIGTERM');
    await exited;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
      process.stdout.write(`\n${file}: ${summarize(join(dir, file))}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
