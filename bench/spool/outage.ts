/**
 * The spool benchmark (bounded, loopback only, fixed connections): one `callevt serve`
 * child on PostgreSQL through a cuttable TCP proxy, the spool on. Per round:
 *  (a) ingest while PostgreSQL answers (the baseline, same run, same server);
 *  (b) ingest while the proxy is cut: every callback goes to the local spool;
 *  (c) the proxy restored: time until the spool is empty (replay rate).
 * Every request carries a distinct sid; at the end every 2xx must be a call in PostgreSQL.
 * Run: npx tsx bench/spool/outage.ts --db postgres://postgres@127.0.0.1:5432/test
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon, { type Result } from 'autocannon';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { startCuttableProxy, urlThroughProxy } from '../../test/faults/tcp-proxy.js';
import { benchPostgresUrl, createBenchSchema } from '../postgres/bench-schema.js';

const CONNECTIONS = 50;
const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Longest the drain may take before the round is given up (a bound, not a target). */
const DRAIN_LIMIT_MS = 120_000;
const root = fileURLToPath(new URL('../..', import.meta.url));

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', '0'], {
    cwd: root, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string; msg?: string };
        if (entry.url) resolve({ child, url: entry.url });
        else if (entry.msg && /spool/.test(entry.msg)) process.stderr.write(`  [server] ${entry.msg}\n`);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function load(url: string, seconds: number): Promise<Result> {
  const values = validCallbackValues();
  const [before, after] = new URLSearchParams(values).toString().split(values.sid ?? '');
  return autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${before}${randomUUID()}${after}` }) }],
  });
}

async function spoolPending(url: string): Promise<number | null> {
  const body = (await (await fetch(`${url}/readyz`)).json()) as { status: string; spool?: { pending: number } };
  return body.status === 'ready' ? (body.spool?.pending ?? null) : null;
}

async function round(pgUrl: string, n: number): Promise<void> {
  const schema = await createBenchSchema(pgUrl);
  const target = new URL(pgUrl);
  const proxy = await startCuttableProxy(target.hostname, Number(target.port || 5432));
  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-spool-'));
  const { child, url } = await startServer({ DATABASE_URL: urlThroughProxy(schema.url, proxy), SPOOL_FILE: join(dir, 'spool.db') });
  try {
    const step = (what: string) => process.stderr.write(`  (round ${n}: ${what})\n`);
    await load(url, 1); // warm-up
    step('warmed up');
    const up = await load(url, DURATION_SEC);
    step('measured with PostgreSQL up; cutting');
    proxy.cut();
    const down = await load(url, DURATION_SEC);
    step('measured with PostgreSQL cut; restoring');
    const spooled = (await (await fetch(`${url}/readyz`)).json()) as { spool?: { pending: number } };
    proxy.restore();
    const started = performance.now();
    while ((await spoolPending(url)) !== 0) {
      if (performance.now() - started > DRAIN_LIMIT_MS) throw new Error('the spool did not drain in time');
      await sleep(50);
    }
    const drainSec = (performance.now() - started) / 1000;
    const acked = up['2xx'] + down['2xx'];
    const stored = await schema.countCalls();
    const pending = spooled.spool?.pending ?? 0;
    const row = (name: string, r: Result) =>
      `| ${n} | ${name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${r['2xx']} | ${r.non2xx + r.errors + r.timeouts} |\n`;
    process.stdout.write(row('PostgreSQL up (baseline)', up));
    process.stdout.write(row('PostgreSQL cut: spooled', down));
    process.stdout.write(`|   | drain after restore: ${pending} records in ${drainSec.toFixed(2)} s = ${(pending / drainSec).toFixed(0)} records/s; ` +
      `calls in PostgreSQL ${stored} (measured 2xx ${acked}, warm-up not counted) | | | | | |\n`);
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await proxy.close();
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const pgUrl = benchPostgresUrl();
  if (pgUrl === null) throw new Error('give --db postgres://... (or BENCH_PG_URL)');
  process.stdout.write(`${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${CONNECTIONS} connections, ` +
    `${DURATION_SEC} s per phase, load average at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n\n`);
  process.stdout.write('| round | phase | req/s | p50 ms | p99 ms | 2xx | failed |\n|---|---|---:|---:|---:|---:|---:|\n');
  for (let n = 1; n <= ROUNDS; n += 1) await round(pgUrl, n);
  process.stdout.write(`\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
}

await main();
