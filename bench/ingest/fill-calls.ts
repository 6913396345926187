import { randomUUID } from 'node:crypto';
import { classificationColumnsOf } from '../../src/domain/classify/stored-classification.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { validCallEvent } from '../../test/fixtures/callback-fixture.js';
import { bulkInsertCalls } from '../fill/bulk-insert-calls.js';

/**
 * Fills a fresh SQLite database with `count` calls (random-UUID sids, like LINE Planet's),
 * fast: bulk inserts with synchronous=OFF. The schema comes from the real
 * migrations, so the benchmark's server then writes into exactly the production layout.
 * Rows carry the current classifier version: outdated rows would make the server
 * reclassify all of them in the background, and the benchmark would measure that.
 */
export function fillCalls(file: string, count: number): void {
  const store = createSqliteStore(file);
  void store.close();
  // Every filled call is a completed call ended normally by the caller, classified as the server would.
  const c = classificationColumnsOf(validCallEvent());
  bulkInsertCalls(file, count, {
    fixed: {
      from_service_id: 'linecorp.com', to_service_id: 'linecorp.com', type: 'V', stid: null, app_svr_data: null,
      srcip: '1.2.3.4', dstip: '2001:db8::1', terminate: 16, disconnect_reason: 1001, releaser_type: 2,
      call_end_reason: null, releaser: null, rel_code: 1, rel_code_str: 'NORMAL', user_rel_code: null, extra: '{}',
      raw_request_id: 0, conflicts: 0, ...c,
    },
    varying: ['sid', 'from_user_id', 'to_user_id', 'setup_time', 'start_time', 'end_time', 'duration', 'billing_sec', 'content_hash', 'received_at'],
    setRow: (row) => {
      const setup = 1_700_000_000 + Math.floor(Math.random() * 31_536_000);
      const duration = Math.floor(Math.random() * 600);
      row.sid = randomUUID();
      row.from_user_id = `u${Math.floor(Math.random() * 10_000)}`;
      row.to_user_id = `u${Math.floor(Math.random() * 10_000)}`;
      row.setup_time = setup;
      row.start_time = setup + 5;
      row.end_time = setup + 5 + duration;
      row.duration = duration;
      row.billing_sec = duration;
      row.content_hash = randomUUID();
      row.received_at = setup * 1000;
    },
  });
}
