import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { bucketBoundaries } from '../../src/domain/stats/time-buckets.js';
const store = createSqliteStore('/tmp/p300k.db');
const END = Math.floor((1796353200 + 3600) / 86400) * 86400;
const FROM = END - 30 * 86400;
const day = (tz: string, off: number) => { const f = { time_field: 'setup_time' as const, from: FROM - off, to: END - off }; return { filter: f, bucket: 'day' as const, tz, boundaries: bucketBoundaries(f.from, f.to, 'day', tz)! }; };
const q = { tokyo: day('Asia/Tokyo', 9 * 3600), kolkata: day('Asia/Kolkata', 5.5 * 3600) };
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]?.toFixed(1);
const T: Record<string, number[]> = { tokyo: [], kolkata: [], breakdown: [], summary: [], off7: [] };
for (let i = 0; i < 15; i++) {
  let t = performance.now(); await store.statsTimeseries(q.tokyo); T.tokyo!.push(performance.now() - t);
  t = performance.now(); await store.statsTimeseries(q.kolkata); T.kolkata!.push(performance.now() - t);
  t = performance.now(); await store.statsBreakdown({ filter: { time_field: 'setup_time', from: FROM, to: END }, by: 'reason', limit: 50 }); T.breakdown!.push(performance.now() - t);
  t = performance.now(); await store.statsSummary({ filter: { time_field: 'setup_time', from: FROM, to: END } }); T.summary!.push(performance.now() - t);
  t = performance.now(); await store.statsSummary({ filter: { time_field: 'setup_time', from: END - 7 * 86400 - 1234, to: END - 1111 } }); T.off7!.push(performance.now() - t);
}
console.log(Object.entries(T).map(([k, v]) => `${k} ${med(v)}`).join(', '));
await store.close();
