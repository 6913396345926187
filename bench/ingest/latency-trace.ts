/**
 * What the slowest 1 % of a fixed-rate load waits on (bounded, loopback). Runs callevt's app
 * in this process on a fresh SQLite file, with the store's parts traced: every commit (its
 * start, when its rows were written, when its WAL fsync ended, whether it waited for the
 * WAL hand-off), every WAL fsync, every checkpoint pass of the thread and every event-loop
 * gap of 5 ms or more. The open-loop generator (fixed-rate-load.ts, a process of its own)
 * reports its slowest 1 %; the slow requests are grouped into episodes (slow requests due
 * within 50 ms of each other), and each episode is printed with what overlapped it.
 * Run: TRACE_RATE=2500 TRACE_SECONDS=10 npx tsx bench/ingest/latency-trace.ts
 * (TRACE_CHECKPOINT_MS: the checkpoint thread's interval instead of its default; BENCH_GENERATOR as in run.ts)
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadConfig } from '../../src/config/load-config.js';
import { buildApp } from '../../src/http/build-app.js';
import type { CallStore } from '../../src/storage/port.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { CheckpointPass } from '../../src/storage/sqlite/wal-checkpointer.js';
import { createWalSync } from '../../src/storage/sqlite/wal-sync.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { runFixedRateInChild, type SlowRequest } from './fixed-rate-load.js';

const RATE = Number(process.env.TRACE_RATE ?? 2_500);
const SECONDS = Number(process.env.TRACE_SECONDS ?? 10);
const CONNECTIONS = 50;
/** TRACE_CHECKPOINT_MS: the checkpoint thread's interval, to compare settings (default: the store's own). */
const checkpointInterval = process.env.TRACE_CHECKPOINT_MS ? { intervalMs: Number(process.env.TRACE_CHECKPOINT_MS) } : {};
/** The generator's own warm-up before the measured load, on the same connections (0: none, as run.ts did before). */
const GENERATOR_WARMUP_SEC = Number(process.env.TRACE_GENERATOR_WARMUP_SEC ?? 1);
/** Slow requests due within this many ms of each other belong to one episode. */
const EPISODE_GAP_MS = 50;
/** An event-loop gap this long or longer is recorded, ms. */
const LOOP_GAP_MS = 5;

const clock = () => performance.timeOrigin + performance.now();
type Span = { from: number; to: number };
/** A commit: its start, when its rows were written, when its fsync ended; handOff: it waited for the thread to catch up. */
interface Commit extends Span { written: number; size: number; handOff: boolean }

const commits: Commit[] = [];
/** Each WAL fsync, and whether the WAL file had grown since the one before (the file's size changed: metadata to sync too). */
const syncs: Array<Span & { grew: boolean }> = [];
const passes: CheckpointPass[] = [];
const loopGaps: Span[] = [];
/** Garbage collections on the main thread. */
const collections: Span[] = [];
/** Each request's arrival at the server and its answer, by sid. */
const served = new Map<string, Span>();

/** The store's WAL fsync, timed. */
function tracedWalSync(file: string) {
  const inner = createWalSync(file);
  let walBytes = 0;
  return {
    async sync() {
      const size = existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0;
      const grew = size > walBytes;
      walBytes = Math.max(walBytes, size);
      const from = clock();
      try {
        await inner.sync();
      } finally {
        syncs.push({ from, to: clock(), grew });
      }
    },
    get syncs() {
      return inner.syncs;
    },
    close: () => inner.close(),
  };
}

/** The store with recordCallbacks timed (the rest passed through). */
function tracedStore(file: string): CallStore {
  const store = createSqliteStore(file, { walSync: tracedWalSync(file), walCheckpoints: { onPass: (p) => passes.push(p), ...checkpointInterval } });
  const traced = Object.create(store) as CallStore;
  traced.recordCallbacks = async (records, onCommitted) => {
    const held = store.walHeldCommits;
    const from = clock();
    let written = from;
    const results = await store.recordCallbacks(records, (r) => {
      written = clock();
      onCommitted?.(r);
    });
    commits.push({ from, written, to: clock(), size: records.length, handOff: store.walHeldCommits !== held });
    return results;
  };
  traced.close = () => store.close();
  return traced;
}

const overlap = (a: Span, b: Span) => Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));
const longest = (spans: Span[], within: Span) => Math.max(0, ...spans.map((s) => overlap(s, within)));
const q = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN).toFixed(1);
};
const spread = (values: number[]) => `p50 ${q(values, 0.5)} p99 ${q(values, 0.99)} max ${q(values, 1)} ms (n ${values.length})`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-trace-'));
  const file = join(dir, 'trace.db');
  const store = tracedStore(file);
  const { app } = await buildApp({ config: loadConfig({ DATABASE_URL: file, PORT: '0' }), store });
  const sidOf = (url: string) => /[?&]sid=([^&]+)/.exec(url)?.[1] ?? '';
  app.addHook('onRequest', async (req) => {
    served.set(sidOf(req.url), { from: clock(), to: Number.NaN });
  });
  app.addHook('onResponse', async (req) => {
    const span = served.get(sidOf(req.url));
    if (span !== undefined) span.to = clock();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push({ from: performance.timeOrigin + entry.startTime, to: performance.timeOrigin + entry.startTime + entry.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let last = clock();
  const ticker = setInterval(() => {
    const now = clock();
    if (now - last >= LOOP_GAP_MS + 1) loopGaps.push({ from: last, to: now });
    last = now;
  }, 1);
  try {
    const values = validCallbackValues();
    const [before = '', after = ''] = new URLSearchParams(values).toString().split(values.sid ?? '');
    await runFixedRateInChild(url, RATE, 1, CONNECTIONS, before, after); // warm-up
    const result = await runFixedRateInChild(url, RATE, SECONDS, CONNECTIONS, before, after, false, GENERATOR_WARMUP_SEC);
    // Only what happened during the measured load.
    const from = result.startedAt ?? 0;
    const keep = <T>(list: T[], at: (item: T) => number) => list.splice(0, list.length, ...list.filter((item) => at(item) >= from));
    keep(commits, (c) => c.from);
    keep(syncs, (s) => s.from);
    keep(passes, (p) => p.startedAt);
    keep(loopGaps, (g) => g.to);
    keep(collections, (g) => g.from);
    report(result.slowest ?? [], result, from);
  } finally {
    clearInterval(ticker);
    gcObserver.disconnect();
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(slowest: SlowRequest[], result: { rps: number; p50: number; p99: number; max: number }, start: number): void {
  // A held commit waited from its start until the catch-up pass it asked for ended.
  const holdEnd = (c: Commit) => (c.handOff ? Math.min(c.written, passes.find((p) => p.kind === 'caught-up' && p.endedAt >= c.from)?.endedAt ?? c.written) : c.from);
  const holds = commits.filter((c) => c.handOff).map((c) => ({ from: c.from, to: holdEnd(c) }));
  const onLoop = commits.map((c) => ({ from: holdEnd(c), to: c.written }));
  const runningPasses = passes.filter((p) => p.kind === 'pass').map((p) => ({ from: p.startedAt, to: p.endedAt }));
  const syncDuring = syncs.filter((s) => runningPasses.some((p) => overlap(p, s) > 0)).map((s) => s.to - s.from);
  const syncApart = syncs.filter((s) => !runningPasses.some((p) => overlap(p, s) > 0)).map((s) => s.to - s.from);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${RATE} req/s for ${SECONDS} s (generator warm-up ${GENERATOR_WARMUP_SEC} s): ${result.rps.toFixed(0)} answered/s, p50 ${result.p50} p99 ${result.p99} max ${result.max} ms`);
  out(`commits: ${commits.length}, ${(commits.reduce((n, c) => n + c.size, 0) / Math.max(1, commits.length)).toFixed(1)} deliveries each; on the loop (rows written, hold excluded) ${spread(onLoop.map((c) => c.to - c.from))}`);
  out(`WAL fsyncs: ${spread(syncs.map((s) => s.to - s.from))}; while a checkpoint pass ran ${spread(syncDuring)}; otherwise ${spread(syncApart)}`);
  out(`WAL fsyncs after the file grew: ${spread(syncs.filter((s) => s.grew).map((s) => s.to - s.from))}; within its size: ${spread(syncs.filter((s) => !s.grew).map((s) => s.to - s.from))}`);
  out(`checkpoint passes: ${spread(runningPasses.map((p) => p.to - p.from))}; frames per pass ${q(passes.map((p) => p.log), 0.5)} (p50)`);
  out(`hand-offs: ${passes.filter((p) => p.kind === 'caught-up').length}; ${holds.length} commits held ${holds.map((h) => (h.to - h.from).toFixed(1)).join(', ')} ms; catch-up passes ${spread(passes.filter((p) => p.kind === 'caught-up').map((p) => p.endedAt - p.startedAt))}`);
  out(`event-loop gaps ≥ ${LOOP_GAP_MS} ms: ${spread(loopGaps.map((g) => g.to - g.from))}; garbage collections ${spread(collections.map((g) => g.to - g.from))}`);
  // Episodes: slow requests due close together.
  const sorted = [...slowest].sort((a, b) => a[0] - b[0]);
  // to: the last slow request's due time; the parts of the slowest request's latency: sent late by the
  // generator, on the way in (sent to the server's onRequest), in the server, on the way back.
  const episodes: Array<{ from: number; to: number; n: number; worst: number; parts: number[] }> = [];
  const partsOf = ([due, latency, late, sid]: SlowRequest) => {
    const span = served.get(sid) ?? { from: Number.NaN, to: Number.NaN };
    return [late, span.from - due - late, span.to - span.from, due + latency - span.to];
  };
  for (const request of sorted) {
    const [due, latency] = request;
    const current = episodes.at(-1);
    if (current !== undefined && due - current.to <= EPISODE_GAP_MS) {
      current.to = Math.max(current.to, due);
      current.n += 1;
      if (latency > current.worst) [current.worst, current.parts] = [latency, partsOf(request)];
    } else episodes.push({ from: due, to: due, n: 1, worst: latency, parts: partsOf(request) });
  }
  out(`\n${slowest.length} slow requests (≥ p99) in ${episodes.length} episodes; each: when (s into the load), requests, worst latency, and the longest of each overlapping thing in [first due, first due + worst]`);
  out('| at s (to s) | slow requests | worst ms | of which: sent late, way in, in server, way back | hand-off hold ms | WAL fsync ms | commit on loop ms | checkpoint pass ms | loop gap ms | GC ms |');
  out('|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const e of episodes) {
    const span = { from: e.from, to: e.from + e.worst };
    out(`| ${((e.from - start) / 1000).toFixed(2)} (${((e.to - start) / 1000).toFixed(2)}) | ${e.n} | ${e.worst.toFixed(1)} | ${e.parts.map((p) => p.toFixed(1)).join(', ')} | ${longest(holds, span).toFixed(1)} | ${longest(syncs, span).toFixed(1)} | ` +
      `${longest(onLoop, span).toFixed(1)} | ${longest(runningPasses, span).toFixed(1)} | ${longest(loopGaps, span).toFixed(1)} | ${longest(collections, span).toFixed(1)} |`);
  }
}

await main();
