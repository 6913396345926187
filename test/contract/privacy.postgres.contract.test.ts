import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';
import { describePrivacyContract } from './privacy-contract.js';

// The privacy contract on PostgreSQL; the dump is every row of every table of the test's schema, as text.
describePostgres('postgres privacy contract', (url) => {
  describePrivacyContract('postgres', async () => {
    const schema = await createTestSchema(url);
    const store = await createPostgresStore(schema.url);
    return {
      store,
      async dump() {
        await store.close();
        return withClient(url, async (client) => {
          const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema.schema]);
          const texts: string[] = [];
          for (const { table_name } of tables.rows) {
            const rows = await client.query<{ text: string | null }>(`SELECT string_agg(t::text, E'\\n') AS text FROM "${schema.schema}"."${table_name}" t`);
            texts.push(`${table_name}\n${rows.rows[0]?.text ?? ''}`);
          }
          return texts.join('\n');
        });
      },
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  });
});
