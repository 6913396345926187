/**
 * CPU profile of `callevt serve` under the ingest benchmark's load (bounded, loopback):
 * starts the server with `node --cpu-prof` on a fresh temp SQLite file, sends distinct-sid
 * callbacks from 50 connections for PROFILE_SECONDS, stops it with SIGTERM (which writes
 * the profile) and prints the server's CPU time per request and the functions with the
 * most self time, per thread.
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

const CONNECTIONS = 50;
const PROFILE_SECONDS = Number(process.env.PROFILE_SECONDS ?? 8);
/** Functions listed per profile. */
const TOP_FUNCTIONS = 25;
/** A throwaway API token, to read the server's /metrics after the load. */
const METRICS_TOKEN = 'profile-server-metrics-token-0123456789';
const root = fileURLToPath(new URL('../..', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

function summarize(file: string): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where = frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  const idle = self.get('(idle)') ?? 0;
  const lines = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP_FUNCTIONS)
    .map(([name, n]) => `  ${((100 * n) / total).toFixed(1).padStart(5)} %  ${name}`);
  return `${total} samples, ${((100 * (total - idle)) / total).toFixed(0)} % busy\n${lines.join('\n')}`;
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
    const result = await autocannon({
      url, connections: CONNECTIONS, duration: PROFILE_SECONDS,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${before}${randomUUID()}${after}` }) }],
    });
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
