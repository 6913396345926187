import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { createTestSchema, describePostgres } from '../postgres/pg-test-schema.js';
import { describeStoreContract } from './all-contracts.js';

// The same contract as sqlite.contract.test.ts, on a real PostgreSQL: each test gets
// its own schema, dropped afterwards. Without PG_URL it skips visibly (fails with REQUIRE_PG=1).
describePostgres('postgres storage contract', (url) => {
  describeStoreContract('postgres', async (options) => {
    const schema = await createTestSchema(url);
    const store = await createPostgresStore(schema.url, options);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  });
});
