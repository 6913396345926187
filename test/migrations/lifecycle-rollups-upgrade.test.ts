import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summaryOfTotals } from '../../src/domain/stats/lifecycle/lifecycle-figures.js';
import { summarizeLifecycle } from '../../src/domain/stats/lifecycle/summarize-lifecycle.js';
import type { CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { toDollarParams } from '../../src/storage/sql/rollup-refresh.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';
import { storedRows, storeScenario, T } from '../contract/lifecycle-stats-contract.js';

/** One database the scenario opens twice, and writes directly in between. */
interface UpgradeTarget {
  openStore(): Promise<CallStore>;
  run(text: string): Promise<void>;
}

/**
 * A database written before migration 14 (notifies, calls, relay attempts, Agent Call
 * Statuses, end_missing flags, no lifecycle rollups): opening it runs the step, which must
 * derive the rollups from the stored rows exactly as live ingest keeps them.
 */
async function upgradeScenario(target: UpgradeTarget): Promise<void> {
  const before = await target.openStore();
  await storeScenario(before);
  const whole = { from: T / 1000, to: T / 1000 + 8 * 3600 };
  const live = await before.lifecycleTotals({ ...whole, boundaries: [whole.from, whole.to] });
  await before.close();
  for (const text of ['DROP TABLE lifecycle_rollups', 'DROP INDEX notifies_received_at', 'DROP INDEX notify_relays_attempted_at',
    'DROP INDEX agent_call_statuses_received_at', 'DELETE FROM schema_migrations WHERE version = 14']) {
    await target.run(text);
  }
  const store = await target.openStore();
  try {
    const rebuilt = await store.lifecycleTotals({ ...whole, boundaries: [whole.from, whole.to] });
    assert.deepEqual(rebuilt, live);
    const summary = summaryOfTotals(rebuilt[0] ?? new Map());
    assert.ok(summary.notifies > 100 && summary.relay.attempts > 50 && summary.pushFailures.total > 10, 'the scenario is not empty');
    assert.deepEqual(summary, summarizeLifecycle(await storedRows(store), whole.from * 1000, whole.to * 1000));
  } finally {
    await store.close();
  }
}

describe('migration 14 (call lifecycle rollups) on a SQLite database written before it', () => {
  it('when notifies, calls, relay attempts and Agent Call Statuses were stored before the step, then it derives the rollups live ingest keeps', async () => {
    const temp = tempDatabaseFile();
    try {
      await upgradeScenario({
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

describePostgres('migration 14 (call lifecycle rollups) on a PostgreSQL database written before it', (url) => {
  it('when notifies, calls, relay attempts and Agent Call Statuses were stored before the step, then it derives the rollups live ingest keeps', async () => {
    const schema = await createTestSchema(url);
    try {
      await upgradeScenario({
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
