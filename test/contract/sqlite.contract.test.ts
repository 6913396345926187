import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { describeStoreContract } from './all-contracts.js';

describeStoreContract('sqlite', async () => {
  const db = tempDatabaseFile();
  const store = createSqliteStore(db.file);
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.cleanup();
    },
  };
});
