// What keeping the lifecycle rollups costs at ingest: the same deliveries (per batch: 32 Call
// Events, 24 Notifies of the same sids, 8 Agent Call Statuses; then a sweep and a batch of
// relay attempts every 10 batches) recorded through the SQLite store of this build and of a
// baseline build (the main branch, compiled elsewhere), alternating A/B rounds in one run,
// each on a fresh temp file. Prints per-round wall time, CPU time and deliveries/s.
//
//   npm run build
//   node dist/bench/lifecycle/ingest-cost.js <baseline dist dir> [batches] [rounds] [--db postgres://…@127.0.0.1/…]
// With --db (or BENCH_PG_URL) the same on PostgreSQL, each round in a throwaway schema.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { toCallbackRecord, toKeyedCallbackRecord } from '../../src/ingest/receive-callback.js';
import type { CallbackRecord, CallStore, NotifyRelayAttempt } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { benchPostgresUrl, createBenchSchema } from '../postgres/bench-schema.js';

const BASELINE_DIST = resolve(process.argv[2] ?? '');
const BATCHES = Number(process.argv[3] ?? 200);
const ROUNDS = Number(process.argv[4] ?? 3);
const T = 1_767_225_600_000;

type OpenStore = (file: string) => Promise<CallStore>;
const PG_URL = benchPostgresUrl();

function raw(path: string, values: Record<string, string>, receivedAt: number) {
  return { receivedAt, method: 'GET', path, query: new URLSearchParams(values).toString(), body: null, contentType: null, sourceIp: '127.0.0.1' };
}

/** One batch of deliveries and the relay attempts of its Notifies (the same for both builds). */
function batchOf(b: number): { records: CallbackRecord[]; relays: NotifyRelayAttempt[] } {
  const records: CallbackRecord[] = [];
  const relays: NotifyRelayAttempt[] = [];
  const at = T + b * 20_000;
  for (let i = 0; i < 32; i++) {
    const sid = randomUUID();
    const setup = Math.floor(at / 1000) - 60;
    if (i < 24) {
      const notify = { sid, from_service_id: 's', from_user_id: `u${i}`, to_service_id: 's', to_user_id: `v${i}`, type: 'A', param: 'cGFyYW0=' };
      records.push(toKeyedCallbackRecord('notify', raw('/callbacks/notify', notify, at), new Map(Object.entries(notify)), []));
      relays.push({ sid, attempted_at: at + 5, outcome: i % 5 === 0 ? 'timeout' : 'ok', status: i % 5 === 0 ? null : 200, latency_ms: 20 + i, error: null });
    }
    const event = {
      sid, from_service_id: 's', from_user_id: `u${i}`, to_service_id: 's', to_user_id: `v${i}`, type: 'A', setup_time: String(setup),
      start_time: String(setup + 5), end_time: String(setup + 50), duration: '45', billing_sec: '45', srcip: '1.2.3.4', dstip: '1.2.3.5',
      terminate: '16', disconnect_reason: i % 7 === 0 ? '1302' : '1001', releaser_type: '2', rel_code: '1', rel_code_str: 'NORMAL',
    };
    records.push(toCallbackRecord(raw('/callbacks/call-event', event, at + 1000), new Map(Object.entries(event)), []));
    if (i < 8) {
      const status = { sid: randomUUID(), agent_type: 'AUDIO_CALLER', media_source_type: 'STORED_SOURCE', result: i % 2 === 0 ? 'Success' : 'FAIL', fail_reason: i % 2 === 0 ? 'None' : 'NO_MEDIA' };
      records.push(toKeyedCallbackRecord('agent-call-status', raw('/callbacks/agent-call-status', status, at), new Map(Object.entries(status)), []));
    }
  }
  return { records, relays };
}

async function round(open: OpenStore, batches: ReturnType<typeof batchOf>[]): Promise<{ wallMs: number; cpuMs: number; deliveries: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-lifecycle-'));
  const schema = PG_URL === null ? null : await createBenchSchema(PG_URL);
  const store = await open(schema?.url ?? join(dir, 'bench.db'));
  let deliveries = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const [b, batch] of batches.entries()) {
    await store.recordCallbacks(batch.records);
    deliveries += batch.records.length;
    if (b % 10 === 9) {
      await store.recordNotifyRelays(batches.slice(b - 9, b + 1).flatMap((x) => x.relays));
      await store.flagEndMissing({ now: T + b * 20_000, deadlineMs: 60_000 });
    }
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await store.close();
  await schema?.drop();
  rmSync(dir, { recursive: true, force: true });
  return { wallMs, cpuMs: (used.user + used.system) / 1000, deliveries };
}

async function main(): Promise<void> {
  const module = (path: string) => import(pathToFileURL(join(BASELINE_DIST, path)).href);
  const builds: Array<[string, OpenStore]> = PG_URL === null
    ? [
      ['baseline (main)', async (f) => ((await module('src/storage/sqlite/sqlite-store.js')) as { createSqliteStore: (f: string) => CallStore }).createSqliteStore(f)],
      ['lifecycle rollups', async (f) => createSqliteStore(f)],
    ]
    : [
      ['baseline (main)', async (u) => ((await module('src/storage/postgres/postgres-store.js')) as { createPostgresStore: (u: string) => Promise<CallStore> }).createPostgresStore(u)],
      ['lifecycle rollups', (u) => createPostgresStore(u)],
    ];
  const batches = Array.from({ length: BATCHES }, (_, b) => batchOf(b));
  console.log(`${new Date().toISOString()} ${PG_URL === null ? 'SQLite' : 'PostgreSQL'}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${BATCHES} batches of ${batches[0]?.records.length} deliveries, ${ROUNDS} rounds each`);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, open] of r % 2 === 0 ? builds : [...builds].reverse()) {
      const result = await round(open, batches);
      console.log(`${name.padEnd(18)} round ${r + 1}: ${result.wallMs.toFixed(0)} ms wall, ${result.cpuMs.toFixed(0)} ms CPU, ${(result.deliveries / (result.wallMs / 1000)).toFixed(0)} deliveries/s, load ${loadavg()[0]?.toFixed(2)}`);
    }
  }
}

await main();
