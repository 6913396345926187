import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { describePrivacyContract } from './privacy-contract.js';

// The privacy contract on SQLite; the dump is the file's bytes after VACUUM (and its WAL, if any).
describePrivacyContract('sqlite', async () => {
  const db = tempDatabaseFile();
  const store = createSqliteStore(db.file);
  return {
    store,
    async dump() {
      await store.close();
      const raw = new Database(db.file);
      raw.exec('VACUUM');
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
      const wal = `${db.file}-wal`;
      return Buffer.concat([readFileSync(db.file), existsSync(wal) ? readFileSync(wal) : Buffer.alloc(0)]).toString('latin1');
    },
    cleanup: async () => {
      await store.close();
      db.cleanup();
    },
  };
});
