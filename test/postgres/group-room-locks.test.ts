import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { groupDeliveryOf } from '../contract/group-calls-contract.js';
import { groupCallValuesOf, newGroupSid, validGroupCallEvent } from '../fixtures/group-call-fixture.js';
import { createTestSchema, describePostgres, withClient } from './pg-test-schema.js';

const T0 = 1_700_000_000_000;
const CLOCK = { now: T0 + 60_000, deadlineMs: 3_600_000 };

describePostgres('erasure and retention of group rooms on PostgreSQL', (url) => {
  it('when a batch of the room holds its lock, then the erasure waits for it, and the room it rebuilds names the participant nowhere', { timeout: 30_000 }, async () => {
    const schema = await createTestSchema(url);
    const store = await createPostgresStore(schema.url);
    try {
      const sid = newGroupSid();
      const events = [
        validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'host', host_id: 'host', ts: T0 }),
        validGroupCallEvent({ sid, sc: 'C', msc: 'C', user_id: 'erin', host_id: 'host', ts: T0 + 1_000, online: 2, display_name: 'Erin' }),
      ];
      await store.recordCallbacks(events.map((e) => groupDeliveryOf(groupCallValuesOf(e))));
      await withClient(url, async (batch) => {
        // What an ingest batch of this room holds while it records and updates it (lockGroupSids).
        await batch.query('BEGIN');
        await batch.query('SELECT pg_advisory_xact_lock(15, hashtext($1))', [sid]);
        let settled = false;
        const erasure = store.eraseUser({ target: { serviceId: 'linecorp.com', userId: 'erin' }, actor: 'cli', now: T0 + 10_000, pseudonym: 'erased-1' })
          .finally(() => { settled = true; });
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(settled, false, 'the erasure waits for the room lock');
        await batch.query('COMMIT');
        assert.equal((await erasure).touched.group_call_events, 1);
      });
      const room = await store.getGroupCall(sid, CLOCK);
      assert.deepEqual(room?.stays.map((s) => [s.user_id, s.display_name]).sort(), [['erased-1', null], ['host', null]]);
      // A later event of the erased participant's stay updates the room from the rewritten events.
      await store.recordCallbacks([groupDeliveryOf(groupCallValuesOf(validGroupCallEvent({ sid, sc: 'C', msc: 'M', user_id: 'host', host_id: 'host', ts: T0 + 2_000, online: 2 })))]);
      const after = await store.getGroupCall(sid, CLOCK);
      assert.deepEqual(after?.stays.map((s) => s.user_id).sort(), ['erased-1', 'host']);
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  it('when a batch of an old room holds its lock, then retention waits for it before the room goes', { timeout: 30_000 }, async () => {
    const schema = await createTestSchema(url);
    const store = await createPostgresStore(schema.url);
    try {
      const sid = newGroupSid();
      await store.recordCallbacks([groupDeliveryOf(groupCallValuesOf(validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'host', host_id: 'host', ts: T0 })))]);
      const policy = { rawDays: null, quarantineDays: null, callsDays: 1, rollupsDays: null, truncateIpsDays: null };
      await withClient(url, async (batch) => {
        await batch.query('BEGIN');
        await batch.query('SELECT pg_advisory_xact_lock(15, hashtext($1))', [sid]);
        let settled = false;
        const retention = store.applyRetention({ policy, now: T0 + 3 * 86_400_000, batchSize: 10 }).finally(() => { settled = true; });
        await new Promise((resolve) => setTimeout(resolve, 500));
        assert.equal(settled, false, 'retention waits for the room lock');
        await batch.query('COMMIT');
        assert.equal((await retention).removed.group_sessions, 1);
      });
      assert.equal(await store.getGroupCall(sid, CLOCK), null);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
