/**
 * What one Notify commit costs the event loop on SQLite (bounded, no network): N Notifies
 * recorded through the store in commits of PER, timed from the call to the moment the rows
 * are written (the synchronous part, on the event loop) and to the end of the WAL's fsync
 * (off it), with the process's CPU time per Notify (all threads, the fsync's included).
 * At 1,000 Notifies/s almost every commit holds one Notify, so PER=1 is the live case.
 * Run: npx tsx bench/notify/commit-probe.ts [N=3000] [PER=1]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toKeyedCallbackRecord } from '../../src/ingest/receive-callback.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validNotifyValues } from '../../test/fixtures/callback-fixture.js';

const N = Number(process.argv[2] ?? 3000);
const PER = Number(process.argv[3] ?? 1);
const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'probe-')), 'c.db'));
const rec = () => {
  const values = validNotifyValues();
  const raw = { receivedAt: Date.now(), method: 'GET', path: '/callbacks/notify', query: new URLSearchParams(values).toString(), body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toKeyedCallbackRecord('notify', raw, new Map(Object.entries(values)), []);
};
let sync = 0; let total = 0;
const cpu0 = process.cpuUsage();
for (let i = 0; i < N / PER; i++) {
  const batch = Array.from({ length: PER }, rec);
  const t0 = performance.now();
  let t1 = 0;
  await store.recordCallbacks(batch, () => { t1 = performance.now(); });
  const t2 = performance.now();
  if (i > 100) { sync += t1 - t0; total += t2 - t0; }
}
const cpu = process.cpuUsage(cpu0);
const n = N / PER - 101;
console.log(`per commit of ${PER}: write ${(1000 * sync / n).toFixed(0)} µs, to durable ${(1000 * total / n).toFixed(0)} µs; CPU per Notify ${((cpu.user + cpu.system) / N).toFixed(0)} µs`);
await store.close();
