import assert from 'node:assert/strict';
import { describeUpgradeOnBothDatabases, type UpgradeTarget } from './upgrade-on-both-databases.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { groupCallValuesOf, validGroupCallEvent } from '../fixtures/group-call-fixture.js';
import { groupDeliveryOf } from '../contract/group-calls-contract.js';
import { deliveryOf } from '../contract/ingest-contract.js';

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

describeUpgradeOnBothDatabases('migration 15 (group calls)', 'when a call was stored before the step, then it stays and group events are stored and built after it', upgradeScenario);
