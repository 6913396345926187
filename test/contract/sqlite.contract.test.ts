import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { describeStoreContract } from './all-contracts.js';

describeStoreContract('sqlite', async (options) => {
  const db = tempDatabaseFile();
  const store = createSqliteStore(db.file, options);
  return {
    store,
    cleanup: async () => {
      await store.close();
      db.cleanup();
    },
  };
});
