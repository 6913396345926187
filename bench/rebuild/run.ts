// Rebuild from the raw log at scale: fills a SQLite database with N raw requests through
// live ingest (the store's recordCallbacks, in group-commit batches: the baseline), then
// times `callevt rebuild` into a new file and `rebuild --check` against the live tables,
// and prints a table. The deliveries are the simulator's traffic (calls with duplicates,
// conflicting versions and malformed requests), spread over 30 days. Runs unattended;
// the files are deleted at the end.
// Above BENCH_LIVE_SAMPLE raw requests (default 200,000), live ingest at full size would
// take hours: the baseline and the check then run on the first BENCH_LIVE_SAMPLE
// deliveries, and the full N are bulk-inserted as a raw log alone (bulk-insert-raw.ts),
// rebuilt into a new file, stopped at half way and resumed (the large rows of the table).
// Usage: npm run build && node dist/bench/rebuild/run.js [rawRequests=200000] [chunk=2000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCallEventRequest } from '../../src/ingest/read-callback-request.js';
import { checkRebuild } from '../../src/ingest/rebuild/check-rebuild.js';
import { rebuildFromRaw } from '../../src/ingest/rebuild/rebuild-from-raw.js';
import { planTraffic } from '../../src/simulate/plan-traffic.js';
import { DEFAULT_TRAFFIC } from '../../src/simulate/traffic-options.js';
import type { CallbackRecord, RawRequest } from '../../src/storage/port.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { bulkInsertRawRequests } from './bulk-insert-raw.js';

const RAW_REQUESTS = Number(process.argv[2] ?? 200_000);
const CHUNK = Number(process.argv[3] ?? 2_000);
/** Deliveries per ingest transaction while filling: a busy receiver's group commit. */
const INGEST_BATCH = 500;
/** 2026-01-01T00:00:00Z. */
const EPOCH = 1_767_225_600;

if (!Number.isInteger(RAW_REQUESTS) || RAW_REQUESTS < 1 || RAW_REQUESTS > 50_000_000) throw new Error('rawRequests must be 1 to 50,000,000');

/** Live ingest (and the check) at most this many raw requests; larger runs rebuild a bulk-filled raw log. */
const LIVE_SAMPLE = Number(process.env.BENCH_LIVE_SAMPLE ?? 200_000);

/** The simulator's deliveries as the HTTP layer would record them, `count` of them, in order. */
function* deliveries(count: number): Generator<CallbackRecord> {
  for (const raw of rawDeliveries(count)) yield readCallEventRequest(raw).record;
}

/** The simulator's deliveries as raw requests, `count` of them, in order. */
function* rawDeliveries(count: number): Generator<RawRequest> {
  const plan = planTraffic({ ...DEFAULT_TRAFFIC, seed: 'bench-rebuild', epoch: EPOCH, spanSec: 30 * 86_400, duplicateShare: 0.05, conflictShare: 0.01, malformedShare: 0.01 });
  let receivedAt = (EPOCH - 30 * 86_400) * 1000;
  for (let n = 0; n < count;) {
    const item = plan.next().value;
    const queries = item.kind === 'malformed' ? [item.malformed.query] : item.deliveries.map((d) => d.query);
    for (const query of queries) {
      if (n++ >= count) return;
      receivedAt += 250;
      yield { receivedAt, method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '10.0.0.1' };
    }
  }
}

/** Peak resident memory, sampled while a phase runs. */
function trackRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

async function timed<T>(name: string, run: () => Promise<T>): Promise<{ name: string; seconds: number; rssMiB: number; value: T }> {
  const rss = trackRss();
  const started = performance.now();
  const value = await run();
  const seconds = (performance.now() - started) / 1000;
  const rssMiB = rss.stop() / 2 ** 20;
  process.stderr.write(`${name}: ${seconds.toFixed(1)} s\n`);
  return { name, seconds, rssMiB, value };
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-rebuild-bench-'));
try {
  const loadBefore = loadavg()[0]?.toFixed(2);
  const sample = Math.min(RAW_REQUESTS, LIVE_SAMPLE);
  const live = createSqliteStore(join(dir, 'live.db'));
  const target = createSqliteStore(join(dir, 'rebuilt.db'));
  const fill = await timed(`live ingest (recordCallbacks, batches of ${INGEST_BATCH}): the baseline`, async () => {
    let batch: CallbackRecord[] = [];
    for (const record of deliveries(sample)) {
      batch.push(record);
      if (batch.length === INGEST_BATCH) {
        await live.recordCallbacks(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await live.recordCallbacks(batch);
    return sample;
  });
  const rebuild = await timed(`rebuild into a new file (chunks of ${CHUNK})`, async () => {
    const result = await rebuildFromRaw(live, target, { chunk: CHUNK });
    return result.done;
  });
  let findings = 0;
  const checked = await timed('rebuild --check (compare only)', async () =>
    checkRebuild(live, target, { lastRawId: await live.derivedRows().lastRawRequestId(), onFinding: () => findings++ }));
  const check = { ...checked, value: sample };
  await live.close();
  await target.close();
  const phases = [fill, rebuild, check];
  const sizes = [`live file ${(statSync(join(dir, 'live.db')).size / 2 ** 20).toFixed(0)} MiB; rebuilt file ${(statSync(join(dir, 'rebuilt.db')).size / 2 ** 20).toFixed(0)} MiB`];
  if (RAW_REQUESTS > sample) {
    rmSync(join(dir, 'live.db'), { force: true });
    rmSync(join(dir, 'rebuilt.db'), { force: true });
    const rawFile = join(dir, 'raw-log.db');
    await createSqliteStore(rawFile).close();
    phases.push(await timed('bulk insert of the raw log alone (not ingest)', async () => bulkInsertRawRequests(rawFile, rawDeliveries(RAW_REQUESTS))));
    const source = createSqliteStore(rawFile);
    const big = createSqliteStore(join(dir, 'rebuilt-large.db'));
    // Stopped after the chunk that passes half way, then resumed: the two runs together.
    phases.push(await timed(`rebuild of all ${RAW_REQUESTS.toLocaleString('en-US')} into a new file, stopped at half way and resumed`, async () => {
      const stop = new AbortController();
      const first = await rebuildFromRaw(source, big, { chunk: CHUNK, signal: stop.signal, onProgress: (p) => p.done >= RAW_REQUESTS / 2 && stop.abort() });
      const second = await rebuildFromRaw(source, big, { chunk: CHUNK });
      if (second.resumedFrom !== first.lastId || first.done + second.done !== RAW_REQUESTS) throw new Error(`resume went wrong: ${JSON.stringify({ first, second })}`);
      return first.done + second.done;
    }));
    const calls = await big.derivedRows().callsAfter(0, 1);
    await source.close();
    await big.close();
    if (calls.length === 0) throw new Error('the large rebuild derived no call');
    sizes.push(`raw log ${(statSync(rawFile).size / 2 ** 20).toFixed(0)} MiB; large rebuilt file ${(statSync(join(dir, 'rebuilt-large.db')).size / 2 ** 20).toFixed(0)} MiB`);
  }
  const c = checked.value;
  console.log(`\nrebuild benchmark: ${RAW_REQUESTS.toLocaleString('en-US')} raw requests (live ingest and check on ${sample.toLocaleString('en-US')}); ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; ` +
    `${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]?.toFixed(2)} after`);
  console.log(`${sizes.join('; ')}\n`);
  console.log('| phase | raw requests | seconds | raw requests/s | peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|');
  for (const p of phases) console.log(`| ${p.name} | ${p.value.toLocaleString('en-US')} | ${p.seconds.toFixed(1)} | ${Math.round(p.value / p.seconds).toLocaleString('en-US')} | ${p.rssMiB.toFixed(0)} |`);
  console.log(`\ncheck: compared ${c.compared.calls} calls, ${c.compared.quarantine} quarantine entries, ${c.compared.rawRequests} raw request results, ` +
    `${c.compared.rollupRows} rollup rows; ${c.totalDifferences} differences, ${c.classification} classification, ${c.notCheckable} not checkable (${findings} findings)`);
  if (c.totalDifferences > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
