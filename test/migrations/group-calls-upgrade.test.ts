import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallStore } from '../../src/storage/port.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { toDollarParams } from '../../src/storage/sql/rollup-refresh.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { createSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempDatabaseFile } from '../fixtures/test-app.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { groupCallValuesOf, validGroupCallEvent } from '../fixtures/group-call-fixture.js';
import { groupDeliveryOf } from '../contract/group-calls-contract.js';
import { deliveryOf } from '../contract/ingest-contract.js';
import { createTestSchema, describePostgres, withClient } from '../postgres/pg-test-schema.js';

/** One database the scenario opens twice, and writes directly in between. */
interface UpgradeTarget {
  openStore(): Promise<CallStore>;
  run(text: string): Promise<void>;
}

const CLOCK = { now: 1_700_000_010_000, deadlineMs: 3_600_000 };

/**
 * A database written before migration 15 (a call, no group tables): opening it adds the
 * group tables, the call stays, and group events are stored and built from then on.
 */
async function upgradeScenario(target: UpgradeTarget): Promise<void> {
  const before = await target.openStore();
  const values = validCallbackValues();
  await before.recordCallbacks([deliveryOf(values)]);
  const call = await before.getCall(values.sid ?? '');
  await before.close();
  for (const text of ['DROP TABLE group_stays', 'DROP TABLE group_sessions', 'DROP TABLE group_call_events', 'DELETE FROM schema_migrations WHERE version = 15']) {
    await target.run(text);
  }
  const store = await target.openStore();
  try {
    assert.deepEqual(await store.getCall(values.sid ?? ''), call);
    const event = validGroupCallEvent({ sc: 'S' });
    assert.deepEqual(await store.recordCallbacks([groupDeliveryOf(groupCallValuesOf(event))]), ['accepted']);
    assert.equal((await store.getGroupCall(event.sid, CLOCK))?.stays.length, 1);
  } finally {
    await store.close();
  }
}

describe('migration 15 (group calls) on a SQLite database written before it', () => {
  it('when a call was stored before the step, then it stays and group events are stored and built after it', async () => {
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

describePostgres('migration 15 (group calls) on a PostgreSQL database written before it', (url) => {
  it('when a call was stored before the step, then it stays and group events are stored and built after it', async () => {
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
