/**
 * The relay benchmark (bounded, loopback only): does the outbox keep up with ingest?
 * autocannon drives `callevt serve`'s Call Event endpoint (distinct sids, fixed connections)
 * while the relay (CALL_EVENT_RELAY_URL) delivers to a bare node:http target in this process
 * that answers 204 at once. Both rates are measured over the same window: accepted/s (2xx
 * answers) and relayed/s (requests the target got); the backlog is the outbox's pending and
 * in-flight count when the load ends, and the drain time how long the relay then took to empty it.
 * The relay keeps up when relayed/s ≈ accepted/s and the backlog stays small.
 * The outbox's own throughput (SQLite): a database whose outbox already holds as many Call
 * Events as the baseline accepted in its window (written through the store, no relay
 * running) is opened by `callevt serve` with the relay on, and the time until the target
 * has them all gives relayed/s, against the baseline's accepted/s of the same run.
 * Run: npx tsx bench/relay/run.ts   (BENCH_DURATION_SEC, default 10; BENCH_CONNECTIONS, default 50;
 * RELAY_CONCURRENCY passes through; `--db postgres://…` or BENCH_PG_URL to measure PostgreSQL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { deliveryOf } from '../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { benchPostgresUrl, createBenchSchema } from '../postgres/bench-schema.js';

const DURATION_SEC = Number(process.env.BENCH_DURATION_SEC ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Longest wait for the relay to drain its backlog after the load, in milliseconds. */
const DRAIN_LIMIT_MS = 30_000;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** A bare app handler: counts requests and answers 204 without reading more than it must. */
async function startTarget(): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/app/callback`,
    count: () => received,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function startCallevt(databaseUrl: string, relayUrl: string | null): Promise<{ child: ChildProcess; url: string }> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, SPOOL_FILE: 'off', ...(relayUrl === null ? {} : { CALL_EVENT_RELAY_URL: relayUrl }) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: root, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'callevt is listening' && entry.url) resolve({ child, url: entry.url });
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`callevt exited with ${code}`)));
  });
}

async function backlog(url: string): Promise<number> {
  const status = (await (await fetch(`${url}/api/relay/status`)).json()) as { pending: number; in_flight: number };
  return status.pending + status.in_flight;
}

/** Distinct-sid callbacks at `url` for DURATION_SEC. */
function load(url: string) {
  const values = validCallbackValues();
  const [before = '', after = ''] = new URLSearchParams(values).toString().split(values.sid ?? '');
  return autocannon({
    url, connections: CONNECTIONS, duration: DURATION_SEC,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/callbacks/call-event?${before}${randomUUID()}${after}` }) }],
  });
}

/** The baseline of the same run: the same ingest with the relay off. Returns accepted/s. */
async function runWithoutRelay(label: string, databaseUrl: string): Promise<number> {
  const { child, url } = await startCallevt(databaseUrl, null);
  try {
    const result = await load(url);
    process.stdout.write(`${label}, relay off (baseline): accepted ${(result['2xx'] / DURATION_SEC).toFixed(0)}/s; ingest p99 ${result.latency.p99} ms\n`);
    return result['2xx'] / DURATION_SEC;
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

async function run(label: string, databaseUrl: string): Promise<void> {
  const target = await startTarget();
  const { child, url } = await startCallevt(databaseUrl, target.url);
  try {
    const relayedBefore = target.count();
    const result = await load(url);
    const relayed = target.count() - relayedBefore;
    const left = await backlog(url);
    const drainStarted = performance.now();
    while ((await backlog(url)) > 0 && performance.now() - drainStarted < DRAIN_LIMIT_MS) await new Promise((r) => setTimeout(r, 50));
    const drainMs = performance.now() - drainStarted;
    const accepted = result['2xx'];
    process.stdout.write(`${label}: accepted ${(accepted / DURATION_SEC).toFixed(0)}/s, relayed ${(relayed / DURATION_SEC).toFixed(0)}/s ` +
      `(${accepted} accepted, ${relayed} relayed in ${DURATION_SEC} s, ${result.non2xx + result.errors + result.timeouts} failed requests); ` +
      `backlog at the end ${left}, drained in ${(drainMs / 1000).toFixed(1)} s; ingest p99 ${result.latency.p99} ms\n`);
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await target.close();
  }
}

/**
 * The outbox alone: `items` Call Events already waiting in it (recorded through the store
 * with the relay's enqueueing on, no relay running), then `callevt serve` with the relay on
 * delivers them; relayed/s from its start until the target has them all.
 */
async function drainOutbox(file: string, items: number, acceptedPerSec: number): Promise<void> {
  const store = createSqliteStore(file, { relayCallEvents: true });
  const values = validCallbackValues();
  for (let done = 0; done < items;) {
    const batch = Array.from({ length: Math.min(500, items - done) }, () => deliveryOf({ ...values, sid: randomUUID() }));
    await store.recordCallbacks(batch);
    done += batch.length;
  }
  await store.close();
  const target = await startTarget();
  const started = performance.now();
  const { child } = await startCallevt(file, target.url);
  try {
    while (target.count() < items && performance.now() - started < DRAIN_LIMIT_MS * 4) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    const rate = target.count() / seconds;
    process.stdout.write(`sqlite, outbox drain: ${target.count()} of ${items} queued items relayed in ${seconds.toFixed(1)} s (from the server's start) = ${rate.toFixed(0)}/s ` +
      `against ${acceptedPerSec.toFixed(0)}/s accepted by the baseline: outbox ÷ ingest ${(rate / acceptedPerSec).toFixed(2)}× ${rate >= acceptedPerSec ? '(keeps up)' : '(falls behind)'}\n`);
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await target.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-relay-'));
try {
  process.stdout.write(`relay bench: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${CONNECTIONS} connections, ${DURATION_SEC} s\n`);
  const acceptedPerSec = await runWithoutRelay('sqlite', join(dir, 'baseline.db'));
  await run('sqlite', join(dir, 'relay.db'));
  await drainOutbox(join(dir, 'drain.db'), Math.round(acceptedPerSec * DURATION_SEC), acceptedPerSec);
  const pgUrl = benchPostgresUrl();
  if (pgUrl !== null) {
    const schema = await createBenchSchema(pgUrl);
    const baseline = await createBenchSchema(pgUrl);
    try {
      await runWithoutRelay('postgres', baseline.url);
      await run('postgres', schema.url);
    } finally {
      await schema.drop();
      await baseline.drop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
