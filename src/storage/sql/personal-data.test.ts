import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { migrateSqlite } from '../sqlite/migrate.js';
import type { SqliteDatabase } from '../sqlite/sqlite-driver.js';
import { NOT_PERSONAL_DATA, PERSONAL_DATA_PLACES } from './personal-data.js';

describe('the places of personal data', () => {
  it('when the schema has a table, then it is either a personal-data place (erase, retention) or listed as holding none', () => {
    const db = new Database(':memory:');
    try {
      migrateSqlite(db as unknown as SqliteDatabase, 0);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>)
        .map((t) => t.name).sort();
      const listed = [...PERSONAL_DATA_PLACES.map((p) => p.table), ...Object.keys(NOT_PERSONAL_DATA)].sort();
      assert.deepEqual(listed, tables, 'add the table to PERSONAL_DATA_PLACES or NOT_PERSONAL_DATA (src/storage/sql/personal-data.ts)');
    } finally {
      db.close();
    }
  });

  it('when a place holds user ids or raw requests, then erasure visits it, raw requests last', () => {
    const erased = PERSONAL_DATA_PLACES.filter((p) => p.erase !== undefined).map((p) => p.table);
    assert.deepEqual(erased, ['calls', 'call_conflicts', 'notifies', 'callback_conflicts', 'group_call_events', 'quarantine', 'relay_outbox', 'raw_requests']);
    assert.equal(erased.at(-1), 'raw_requests', 'raw requests last: the steps before find the ones to rewrite');
  });
});
