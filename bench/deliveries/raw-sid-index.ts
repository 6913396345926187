/**
 * What migration 3's index on raw_requests(sid) costs at ingest and buys at read time, in
 * one run: the commit path of bench/ingest/commit-batches.ts (recordCallbacks() batches of
 * 50 deliveries on the SQLite store, background checkpoints, batch n's calls in hour n) on
 * copies of one database holding FILLED calls AND as many raw requests, with the index (as
 * migrated) and without it (dropped on that copy: the baseline), rounds interleaved; then
 * the time of listDeliveries(sid) on each.
 * Run: npx tsx bench/deliveries/raw-sid-index.ts
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { toCallbackRecord } from '../../src/ingest/receive-callback.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { fillCalls } from '../ingest/fill-calls.js';

const BATCH = 50;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 400);
const FILLED = Number(process.env.BENCH_FILLED_CALLS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Lookups per round: without the index each one scans every raw request (about a second at 1,000,000). */
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20);

function delivery(batchIndex: number) {
  const setup = 1_700_000_000 + batchIndex * 3600;
  const values = validCallbackValues({ setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 125) });
  const raw = { receivedAt: Date.now(), method: 'GET', path: '/callbacks/call-event', query: new URLSearchParams(values).toString(), body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toCallbackRecord(raw, new Map(Object.entries(values)), []);
}

/** One accepted raw request per filled call, with the call's sid, as ingest would have left them. */
function fillRawRequests(file: string): void {
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const query = new URLSearchParams(validCallbackValues()).toString();
  db.exec(`INSERT INTO raw_requests (received_at, method, path, query, body, content_type, source_ip, result, sid)
    SELECT received_at, 'GET', '/callbacks/call-event', '${query}', NULL, NULL, '127.0.0.1', 'accepted', sid FROM calls ORDER BY received_at`);
  db.exec('UPDATE calls SET raw_request_id = (SELECT id FROM raw_requests r WHERE r.sid = calls.sid)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function round(file: string, withIndex: boolean): Promise<{ batches: number[]; lookupMs: number }> {
  if (!withIndex) {
    const db = new Database(file);
    db.exec('DROP INDEX raw_requests_sid');
    db.close();
  }
  const store = createSqliteStore(file);
  const batches: number[] = [];
  try {
    for (let n = 0; n < BATCHES; n++) {
      const batch = Array.from({ length: BATCH }, () => delivery(n));
      const started = performance.now();
      await store.recordCallbacks(batch);
      batches.push(performance.now() - started);
    }
    const reader = new Database(file, { readonly: true });
    const sids = reader.prepare(`SELECT sid FROM calls ORDER BY random() LIMIT ${LOOKUPS}`).pluck().all() as string[];
    reader.close();
    const started = performance.now();
    for (const sid of sids) await store.listDeliveries(sid);
    return { batches: batches.sort((a, b) => a - b), lookupMs: (performance.now() - started) / sids.length };
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-sid-index-bench-'));
try {
  const master = join(dir, 'master.db');
  fillCalls(master, FILLED);
  const fillStarted = performance.now();
  fillRawRequests(master);
  const probe = new Database(master);
  const indexStarted = performance.now();
  probe.exec('DROP INDEX raw_requests_sid; CREATE INDEX raw_requests_sid ON raw_requests (sid)');
  const indexMs = performance.now() - indexStarted;
  probe.pragma('wal_checkpoint(TRUNCATE)'); // the copies are of the file alone
  probe.close();
  process.stdout.write(`filled ${FILLED.toLocaleString('en')} calls and raw requests (raw requests ${((indexStarted - fillStarted) / 1000).toFixed(1)} s); building raw_requests_sid on them: ${(indexMs / 1000).toFixed(1)} s\n`);
  const results: Record<'with' | 'without', { batches: number[]; lookups: number[] }> = { with: { batches: [], lookups: [] }, without: { batches: [], lookups: [] } };
  for (let r = 0; r < ROUNDS; r++) {
    for (const withIndex of r % 2 === 0 ? [false, true] : [true, false]) {
      const file = join(dir, `round-${r}-${withIndex}.db`);
      copyFileSync(master, file);
      const { batches, lookupMs } = await round(file, withIndex);
      const key = withIndex ? 'with' : 'without';
      results[key].batches.push(...batches);
      results[key].lookups.push(lookupMs);
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    }
  }
  process.stdout.write(`| raw_requests_sid | mean ms / batch of ${BATCH} | p50 | p99 | deliveries/s of commit time | listDeliveries ms (mean of ${LOOKUPS}) |\n|---|---:|---:|---:|---:|---:|\n`);
  for (const key of ['without', 'with'] as const) {
    const t = results[key].batches.sort((a, b) => a - b);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const at = (q: number) => (t[Math.min(t.length - 1, Math.floor(q * t.length))] ?? 0).toFixed(2);
    const lookup = results[key].lookups.reduce((a, b) => a + b, 0) / results[key].lookups.length;
    process.stdout.write(`| ${key === 'with' ? 'with (migration 3)' : 'without (baseline)'} | ${mean.toFixed(2)} | ${at(0.5)} | ${at(0.99)} | ${((BATCH * 1000) / mean).toFixed(0)} | ${lookup.toFixed(3)} |\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
