// Rebuild from the raw log at scale: fills a SQLite database with N raw requests through
// live ingest (the store's recordCallbacks, in group-commit batches: the baseline), then
// times `callevt rebuild` into a new file and `rebuild --check` against the live tables,
// and prints a table. The deliveries are the simulator's traffic (calls with duplicates,
// conflicting versions and malformed requests), spread over 30 days. Runs unattended;
// the files are deleted at the end.
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

const RAW_REQUESTS = Number(process.argv[2] ?? 200_000);
const CHUNK = Number(process.argv[3] ?? 2_000);
/** Deliveries per ingest transaction while filling: a busy receiver's group commit. */
const INGEST_BATCH = 500;
/** 2026-01-01T00:00:00Z. */
const EPOCH = 1_767_225_600;

if (!Number.isInteger(RAW_REQUESTS) || RAW_REQUESTS < 1 || RAW_REQUESTS > 50_000_000) throw new Error('rawRequests must be 1 to 50,000,000');

/** The simulator's deliveries as the HTTP layer would record them, `count` of them, in order. */
function* deliveries(count: number): Generator<CallbackRecord> {
  const plan = planTraffic({ ...DEFAULT_TRAFFIC, seed: 'bench-rebuild', epoch: EPOCH, spanSec: 30 * 86_400, duplicateShare: 0.05, conflictShare: 0.01, malformedShare: 0.01 });
  let receivedAt = (EPOCH - 30 * 86_400) * 1000;
  for (let n = 0; n < count;) {
    const item = plan.next().value;
    const queries = item.kind === 'malformed' ? [item.malformed.query] : item.deliveries.map((d) => d.query);
    for (const query of queries) {
      if (n++ >= count) return;
      receivedAt += 250;
      const raw: RawRequest = { receivedAt, method: 'GET', path: '/callbacks/call-event', query, body: null, contentType: null, sourceIp: '10.0.0.1' };
      yield readCallEventRequest(raw).record;
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
  const live = createSqliteStore(join(dir, 'live.db'));
  const target = createSqliteStore(join(dir, 'rebuilt.db'));
  const fill = await timed(`live ingest (recordCallbacks, batches of ${INGEST_BATCH}): the baseline`, async () => {
    let batch: CallbackRecord[] = [];
    for (const record of deliveries(RAW_REQUESTS)) {
      batch.push(record);
      if (batch.length === INGEST_BATCH) {
        await live.recordCallbacks(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await live.recordCallbacks(batch);
  });
  const rebuild = await timed(`rebuild into a new file (chunks of ${CHUNK})`, () => rebuildFromRaw(live, target, { chunk: CHUNK }));
  let findings = 0;
  const check = await timed('rebuild --check (compare only)', () =>
    checkRebuild(live, target, { lastRawId: rebuild.value.lastId, onFinding: () => findings++ }));
  await live.close();
  await target.close();
  const rate = (s: number) => Math.round(RAW_REQUESTS / s).toLocaleString('en-US');
  const c = check.value;
  console.log(`\nrebuild benchmark: ${RAW_REQUESTS.toLocaleString('en-US')} raw requests; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node ${process.version}; ` +
    `${new Date().toISOString()}; load average ${loadBefore} before, ${loadavg()[0]?.toFixed(2)} after`);
  console.log(`live file ${(statSync(join(dir, 'live.db')).size / 2 ** 20).toFixed(0)} MiB; rebuilt file ${(statSync(join(dir, 'rebuilt.db')).size / 2 ** 20).toFixed(0)} MiB\n`);
  console.log('| phase | seconds | raw requests/s | peak RSS MiB |');
  console.log('|---|---:|---:|---:|');
  for (const p of [fill, rebuild, check]) console.log(`| ${p.name} | ${p.seconds.toFixed(1)} | ${rate(p.seconds)} | ${p.rssMiB.toFixed(0)} |`);
  console.log(`\ncheck: compared ${c.compared.calls} calls, ${c.compared.quarantine} quarantine entries, ${c.compared.rawRequests} raw request results, ` +
    `${c.compared.rollupRows} rollup rows; ${c.totalDifferences} differences, ${c.classification} classification, ${c.notCheckable} not checkable (${findings} findings)`);
  if (c.totalDifferences > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
