/** The retention benchmarks' database: old deliveries, every one old enough for some limit. */
import { DAY_MS } from '../../src/domain/privacy/retention-policy.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { deliveryOf } from '../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';

/** How far apart in time neighbouring deliveries of a time-ordered fill may land. */
const JITTER_MS = 5 * 60_000;

/**
 * Fills `file` with `calls` deliveries through the real ingest path, over the 100 days before
 * `now`, 5 % quarantined. `order`: `time` stores them oldest first, a few minutes of jitter
 * apart, as a server receives them (rows of one day then share pages); `shuffled` stores
 * them at random times in any order (the benchmark's earlier fill: each removed row then
 * sits on a page of its own, the worst case for the WAL volume of a removal).
 */
export async function fillRetentionBench(file: string, calls: number, now: number, order: 'time' | 'shuffled' = 'time'): Promise<void> {
  const store = createSqliteStore(file);
  const BATCH = 1_000;
  for (let done = 0; done < calls; done += BATCH) {
    const records = Array.from({ length: Math.min(BATCH, calls - done) }, (_, i) => {
      const receivedAt = order === 'shuffled'
        ? now - Math.floor(Math.random() * 100 * DAY_MS)
        : now - 100 * DAY_MS + Math.floor(((done + i) * 100 * DAY_MS) / calls + Math.random() * JITTER_MS);
      const setup = Math.floor(receivedAt / 1000) - 200;
      const values = validCallbackValues({
        from_user_id: `u${(done + i) % 5_000}`, to_user_id: `v${(done + i) % 7_000}`,
        setup_time: String(setup), start_time: String(setup + 5), end_time: String(setup + 125),
        srcip: `198.51.${(done + i) % 256}.${i % 256}`, dstip: `2001:db8:${(i % 65_536).toString(16)}::${i % 100}`,
      });
      return deliveryOf((done + i) % 20 === 0 ? { ...values, type: 'X' } : values, receivedAt);
    });
    await store.recordCallbacks(records);
  }
  await store.close();
}
