/**
 * Storage-only benchmark of the SQLite commit path: time per recordCallbacks() batch of
 * 50 deliveries, on an empty database and on one holding FILLED_CALLS calls, with WAL
 * checkpoints in the background thread vs SQLite's automatic checkpoint inside commits.
 * Each batch's calls fall in their own hour, so that the statistics rollup refresh (which
 * recomputes the touched hours from their calls) stays small and the checkpoint cost shows.
 * Run: npx tsx bench/ingest/commit-batches.ts
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { fillCalls } from './fill-calls.js';

const BATCH = 50;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 400);
const FILLED_CALLS = Number(process.env.BENCH_FILLED_CALLS ?? 1_000_000);

/** Batch n's calls are set up in hour n (each commit's rollup refresh covers one small hour), or all in one hour. */
function delivery(batchIndex: number, sameHour: boolean) {
  const setup = 1_700_000_000 + (sameHour ? 0 : batchIndex * 3600);
  const values = validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 125) });
  const query = new URLSearchParams(values).toString();
  const raw = { receivedAt: Date.now(), method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toCallbackRecord(raw, new Map(Object.entries(values)), []);
}

async function timeBatches(file: string, backgroundCheckpoints: boolean, sameHour = false): Promise<number[]> {
  const store = createSqliteStore(file, { backgroundCheckpoints });
  const batches = Array.from({ length: BATCHES }, (_, n) => Array.from({ length: BATCH }, () => delivery(n, sameHour)));
  const times: number[] = [];
  try {
    for (const batch of batches) {
      const started = performance.now();
      await store.recordCallbacks(batch);
      times.push(performance.now() - started);
    }
  } finally {
    await store.close();
  }
  return times.sort((a, b) => a - b);
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-commit-bench-'));
try {
  const master = join(dir, 'master.db');
  fillCalls(master, FILLED_CALLS);
  process.stdout.write(`| database | checkpoints | mean ms/batch of ${BATCH} | p50 | p99 | max | deliveries/s of commit time |\n|---|---|---:|---:|---:|---:|---:|\n`);
  const row = (label: string, checkpoints: string, t: number[]) => {
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const at = (q: number) => (t[Math.min(t.length - 1, Math.floor(q * t.length))] ?? 0).toFixed(1);
    process.stdout.write(`| ${label} | ${checkpoints} | ${mean.toFixed(2)} | ${at(0.5)} | ${at(0.99)} | ${(t.at(-1) ?? 0).toFixed(1)} | ${((BATCH * 1000) / mean).toFixed(0)} |\n`);
  };
  for (const filled of [false, true]) {
    for (const background of [false, true]) {
      const file = join(dir, `run-${filled}-${background}.db`);
      if (filled) copyFileSync(master, file);
      row(filled ? `${FILLED_CALLS.toLocaleString('en')} calls` : 'empty', background ? 'background thread' : 'inside commits (SQLite default)', await timeBatches(file, background));
    }
  }
  // Live traffic: every call of the current hour lands in one slot, whose rollups each commit recomputes.
  row(`empty, all ${(BATCH * BATCHES).toLocaleString('en')} calls in one hour`, 'background thread', await timeBatches(join(dir, 'same-hour.db'), true, true));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
