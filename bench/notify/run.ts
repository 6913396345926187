/**
 * The Notify benchmark (bounded, loopback only): how much latency does callevt add in
 * front of the app's notify handler? LINE Planet waits for the Notify's answer before the
 * callee's device rings, so this is time added to every call's setup.
 *
 * An open-loop generator in a process of its own (bench/ingest/fixed-rate-load.ts) sends
 * Notifies (distinct sids) evenly spaced at a fixed rate (RATE, default 1,000/s; each
 * latency counted from the request's due time, so a stall shows in every request it held
 * up) to:
 *  - direct (baseline): the bare notify handler (bench/notify/target.ts, a node:http
 *    server answering 204 at once, in a process of its own), as LINE Planet would without callevt;
 *  - callevt, relay: `callevt serve` on SQLite with NOTIFY_RELAY_URL pointing at that
 *    handler: each Notify is stored, then relayed, and answered with the handler's verdict;
 *  - callevt, no relay: the same without NOTIFY_RELAY_URL (stored and answered): where the
 *    storage's share of the time ends;
 *  - the disk alone (bench/notify/disk-floor.ts): the WAL bytes of one Notify commit written
 *    and fsynced through the production WAL syncer at the same rate, no HTTP and no SQLite:
 *    the part of a durable answer's latency that no design can remove.
 * Added latency = callevt, relay − direct, per percentile. Beside each callevt case: its
 * event-loop delay during the load (/metrics' nodejs_eventloop_lag_* gauges) and its CPU
 * time per Notify (process_cpu_seconds_total), which a busy machine disturbs less. The cases
 * run interleaved for ROUNDS rounds (other work on a shared machine then hits them alike);
 * each row is one round.
 * Run: npx tsx bench/notify/run.ts   (BENCH_DURATION_SEC, default 10; BENCH_ROUNDS, default 2;
 * BENCH_RATE, default 1000; BENCH_CONNECTIONS, default 50; BENCH_CALLEVT_CPU pins callevt; CPU_PROF=1 profiles callevt
 * with node --cpu-prof into bench/notify/profiles/; BENCH_OTHER_ROOT=<checkout> adds that
 * checkout's callevt with the relay as one more case, for a before/after in the same run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { validNotifyValues } from '../../test/fixtures/callback-fixture.js';
import { type FixedRateResult, runFixedRateInChild } from '../ingest/fixed-rate-load.js';
import { measureDiskFloor } from './disk-floor.js';

const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_SEC = 2;
const CPU_PROF = process.env.CPU_PROF === '1';
/** Another checkout (e.g. an earlier commit, `git worktree add`): its callevt runs as one more case, for a before/after in the same run. */
const OTHER_ROOT = process.env.BENCH_OTHER_ROOT ?? null;
/**
 * A CPU list for callevt's process (taskset -c), e.g. `1` with the benchmark itself run
 * under `taskset -c 0`: callevt then has a core to itself, as behind a real network, and
 * the generator and the handler share the other. Unset: the scheduler places everything.
 */
const CALLEVT_CPU = process.env.BENCH_CALLEVT_CPU ?? null;
const root = fileURLToPath(new URL('../..', import.meta.url));
const profiles = join(root, 'bench', 'notify', 'profiles');

interface Row {
  name: string;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  failed: number;
  loopP99: number;
  loopMax: number;
  /** callevt's CPU time per answered Notify (user + system, from /metrics), ms: less sensitive to a busy machine than latency. */
  cpuPerRequest: number;
}

/** Starts a child process and resolves with the URL from its first JSON line that has one. */
function start(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = [], cwd = root, cpu: string | null = null): Promise<{ child: ChildProcess; url: string }> {
  const command = [process.execPath, ...nodeArgs, '--import', 'tsx', ...args];
  // Pinned with taskset (util-linux) when asked: callevt alone on its core, as behind a real network.
  const [file = '', ...rest] = cpu === null ? command : ['taskset', '-c', cpu, ...command];
  const child = spawn(file, rest, {
    cwd, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolve({ child, url: entry.url });
      } catch {
        // not a JSON line
      }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Notifies with a new sid each, evenly spaced at RATE per second over all connections, to
 * `url` + `path`, from bench/ingest/fixed-rate-load.ts in a process of its own (autocannon's
 * overallRate fires each second's share in a burst at the top of the second).
 */
function load(url: string, path: string, seconds: number): Promise<FixedRateResult> {
  const values = validNotifyValues();
  const [before = '', after = ''] = new URLSearchParams(values).toString().split(values.sid ?? '');
  return runFixedRateInChild(`${new URL(url).origin}${path}`, RATE, seconds, CONNECTIONS, before, after);
}

/** The event-loop gauges and the CPU counter of /metrics, in ms; reading them also resets prom-client's delay histogram. */
async function serverGauges(url: string): Promise<{ p99: number; max: number; cpu: number }> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) return { p99: Number.NaN, max: Number.NaN, cpu: Number.NaN };
  const text = await res.text();
  const gauge = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000;
  return { p99: gauge('nodejs_eventloop_lag_p99_seconds'), max: gauge('nodejs_eventloop_lag_max_seconds'), cpu: gauge('process_cpu_seconds_total') };
}

async function measure(name: string, round: number, url: string, path: string, metrics: boolean): Promise<Row> {
  const none = { p99: Number.NaN, max: Number.NaN, cpu: Number.NaN };
  await load(url, path, WARMUP_SEC);
  const before = metrics ? await serverGauges(url) : none;
  const r = await load(url, path, DURATION_SEC);
  const after = metrics ? await serverGauges(url) : none;
  return {
    name, round, rps: r.rps, p50: r.p50, p99: r.p99, max: r.max,
    failed: r.failed, loopP99: after.p99, loopMax: after.max, cpuPerRequest: (after.cpu - before.cpu) / Math.max(1, r.ok),
  };
}

async function callevtCase(name: string, round: number, dir: string, relayUrl: string | null, cwd = root): Promise<Row> {
  const env: Record<string, string> = { DATABASE_URL: join(dir, `${name.replace(/\W+/g, '-')}-${round}.db`), SPOOL_FILE: 'off' };
  if (relayUrl !== null) env.NOTIFY_RELAY_URL = relayUrl;
  const nodeArgs = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', profiles] : [];
  const { child, url } = await start(['src/cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1'], env, nodeArgs, cwd, CALLEVT_CPU);
  try {
    await fetch(`${url}/readyz`).then((res) => res.arrayBuffer());
    return await measure(name, round, url, '/callbacks/notify', true);
  } finally {
    await stop(child);
  }
}

const f = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(n >= 100 ? 0 : 2));

if (CPU_PROF) mkdirSync(profiles, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-notify-'));
const target = await start(['bench/notify/target.ts']);
const rows: Row[] = [];
try {
  process.stdout.write(
    `notify bench: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${RATE} Notifies/s, ${CONNECTIONS} connections, ` +
      `${DURATION_SEC} s × ${ROUNDS} rounds${CALLEVT_CPU === null ? '' : `, callevt pinned to CPU ${CALLEVT_CPU}`}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    rows.push(await measure('direct (baseline)', round, target.url, new URL(target.url).pathname, false));
    rows.push(await callevtCase('callevt, relay', round, dir, target.url));
    rows.push(await callevtCase('callevt, no relay', round, dir, null));
    if (OTHER_ROOT !== null) rows.push(await callevtCase('callevt, relay (BENCH_OTHER_ROOT)', round, dir, target.url, OTHER_ROOT));
    const disk = await measureDiskFloor(dir, RATE, DURATION_SEC);
    rows.push({
      name: `the disk alone: a Notify commit's WAL bytes + fdatasync (${disk.syncs} syncs)`, round, rps: RATE, p50: disk.p50, p99: disk.p99, max: disk.max,
      failed: 0, loopP99: Number.NaN, loopMax: Number.NaN, cpuPerRequest: Number.NaN,
    });
  }
} finally {
  await stop(target.child);
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write('\n| case | round | req/s | p50 ms | p99 ms | max ms | failed | loop p99 ms | loop max ms | CPU ms per Notify |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n');
for (const r of rows) {
  process.stdout.write(`| ${r.name} | ${r.round} | ${r.rps.toFixed(0)} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.max)} | ${r.failed} | ${f(r.loopP99)} | ${f(r.loopMax)} | ${Number.isNaN(r.cpuPerRequest) ? '–' : r.cpuPerRequest.toFixed(3)} |\n`);
}
process.stdout.write('\nadded by callevt with the relay (callevt, relay − direct, same round):\n');
for (let round = 1; round <= ROUNDS; round++) {
  const direct = rows.find((r) => r.round === round && r.name.startsWith('direct'));
  const relay = rows.find((r) => r.round === round && r.name === 'callevt, relay');
  if (direct && relay) {
    process.stdout.write(`  round ${round}: p50 +${f(relay.p50 - direct.p50)} ms, p99 +${f(relay.p99 - direct.p99)} ms, max +${f(relay.max - direct.max)} ms\n`);
  }
}
process.stdout.write(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
