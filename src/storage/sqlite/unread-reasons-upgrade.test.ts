import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { replayQuarantine } from '../../ingest/replay-quarantine.js';
import { migrateSqlite } from './migrate.js';
import { openSqlite } from './open-sqlite.js';
import { createSqliteStore } from './sqlite-store.js';

describe('migration 10 (refusals of unread deliveries) on a database written before it', () => {
  it('when deliveries were refused for their size, then their raw requests keep that refusal and a replay keeps them quarantined', async () => {
    const temp = tempDatabaseFile();
    try {
      const db = openSqlite(temp.file);
      migrateSqlite(db, 0, 8);
      const cutQuery = 'sid=6364e8b3-bdac-436e-9631-0bce2498ce0c&type=V'; // what was kept of a longer query
      const rows: Array<[string, string | null, string]> = [
        [cutQuery, null, '[{"field":"query","problem":"is 20000 bytes, more than 16384 (kept truncated)"}]'],
        ['', null, '[{"field":"body","problem":"is larger than 16384 bytes"}]'],
        ['sid=x', null, '[{"field":"sid","problem":"must be a UUID"}]'],
      ];
      for (const [i, [query, body, reasons]] of rows.entries()) {
        db.prepare(`INSERT INTO raw_requests (id, received_at, method, path, query, body, content_type, source_ip, result, sid)
          VALUES (?, 1, 'POST', '/callbacks/call-event', ?, ?, NULL, '127.0.0.1', 'quarantined', NULL)`).run(i + 1, query, body);
        db.prepare('INSERT INTO quarantine (raw_request_id, received_at, reasons) VALUES (?, 1, ?)').run(i + 1, reasons);
      }
      db.close();
      const store = createSqliteStore(temp.file);
      try {
        const raws = await store.derivedRows().rawRequestsAfter(0, 10);
        assert.deepEqual(raws.map((r) => r.unreadReasons), [JSON.parse(rows[0]?.[2] ?? ''), JSON.parse(rows[1]?.[2] ?? ''), null]);
        const summary = await replayQuarantine(store, {}, { dryRun: true });
        assert.deepEqual(summary.entries.map((e) => e.reasons?.[0]?.field), ['query', 'body', 'sid']);
      } finally {
        await store.close();
      }
    } finally {
      temp.cleanup();
    }
  });
});
