import { describe, it } from 'node:test';
import type { CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { toDollarParams } from '../../src/storage/sql/rollup-refresh.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';

/** One database an upgrade scenario opens twice, and writes directly in between (to undo a migration). */
export interface UpgradeTarget {
  openStore(): Promise<CallStore>;
  run(text: string): Promise<void>;
}

/**
 * Runs one upgrade scenario on a temp-file SQLite database and, when PG_URL is set, on a
 * throwaway PostgreSQL schema: `migration` names the step in the suites' titles.
 */
export function describeUpgradeOnBothDatabases(migration: string, behaviour: string, scenario: (target: UpgradeTarget) => Promise<void>): void {
  describe(`${migration} on a SQLite database written before it`, () => {
    it(behaviour, async () => {
      const temp = tempDatabaseFile();
      try {
        await scenario({
          openStore: async () => createSqliteStore(temp.file),
          run: async (text) => {
            const db = openSqlite(temp.file);
            try {
              db.prepare(text).run();
            } finally {
              db.close();
            }
          },
        });
      } finally {
        temp.cleanup();
      }
    });
  });

  describePostgres(`${migration} on a PostgreSQL database written before it`, (url) => {
    it(behaviour, async () => {
      const schema = await createTestSchema(url);
      try {
        await scenario({
          openStore: () => createPostgresStore(schema.url),
          run: (text) =>
            withClient(url, async (client) => {
              await client.query(`SET search_path TO ${schema.schema}`);
              await client.query(toDollarParams(text));
            }),
        });
      } finally {
        await schema.drop();
      }
    });
  });
}
