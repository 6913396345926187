/**
 * The end_missing sweep against the event loop (bounded, no network): how long does the
 * sweep of a backlog of notifies newly past CALL_EVENT_DEADLINE hold SQLite's event loop?
 * A backlog of N notifies (default 15,000: 15 s of 1,000 Notifies/s, one scrape interval)
 * is written through the store, then `flagEndMissing` sweeps them while a 1 ms interval
 * timer watches the loop: its longest gap is the longest time nothing else could run.
 * Then the count behind the `callevt_calls_end_missing` gauge, read at every /metrics
 * scrape on the event loop, is timed three times (the slowest is reported). The same for each
 * other checkout given (its src/, run through tsx), for a before/after in the same run.
 * Run: npx tsx bench/lifecycle/sweep-stall.ts [notifies=15000] [otherCheckout ...]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const N = Number(process.argv[2] ?? 15_000);
const trees = [resolve(import.meta.dirname, '../..'), ...process.argv.slice(3).map((t) => resolve(t))];
const HOUR_MS = 3_600_000;

interface Sweepable {
  recordCallbacks(records: unknown[]): Promise<unknown>;
  flagEndMissing(query: { now: number; deadlineMs: number }): Promise<number>;
  countEndMissing(query: { now: number; deadlineMs: number }): Promise<number>;
  close(): Promise<void>;
}

async function measure(tree: string, dir: string): Promise<string> {
  const load = (path: string) => import(pathToFileURL(join(tree, path)).href);
  const { createSqliteStore } = await load('src/storage/sqlite/sqlite-store.ts');
  const { toKeyedCallbackRecord } = await load('src/ingest/receive-callback.ts');
  const { validNotifyValues } = await load('test/fixtures/callback-fixture.ts');
  const store = createSqliteStore(join(dir, `${randomUUID()}.db`)) as Sweepable;
  const t0 = Date.now() - 3 * HOUR_MS;
  for (let i = 0; i < N; i += 500) {
    const batch = Array.from({ length: Math.min(500, N - i) }, (_, j) => {
      const values = validNotifyValues() as Record<string, string>;
      const raw = { receivedAt: t0 + i + j, method: 'GET', path: '/callbacks/notify', query: new URLSearchParams(values).toString(), body: null, contentType: null, sourceIp: '10.0.0.1' };
      return toKeyedCallbackRecord('notify', raw, new Map(Object.entries(values)), []);
    });
    await store.recordCallbacks(batch);
  }
  let longestGap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 50));
  const started = performance.now();
  const deadline = { now: Date.now(), deadlineMs: 2 * HOUR_MS };
  const flagged = await store.flagEndMissing(deadline);
  const took = performance.now() - started;
  await new Promise((r) => setTimeout(r, 10));
  clearInterval(timer);
  let slowestCount = 0;
  for (let i = 0; i < 3; i++) {
    const countStarted = performance.now();
    await store.countEndMissing(deadline);
    slowestCount = Math.max(slowestCount, performance.now() - countStarted);
  }
  await store.close();
  return `| ${tree === trees[0] ? 'this checkout' : 'other checkout'} | ${N} | ${flagged} | ${took.toFixed(0)} | ${longestGap.toFixed(1)} | ${slowestCount.toFixed(1)} |`;
}

const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-sweep-'));
try {
  console.log(`end_missing sweep: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('| code | backlog | flagged | sweep ms | longest 1 ms-timer gap ms | count for the gauge, ms (slowest of 3) |\n|---|---:|---:|---:|---:|---:|');
  for (const tree of trees) console.log(await measure(tree, dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
