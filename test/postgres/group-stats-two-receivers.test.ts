import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import { summarizeGroupSessions } from '../../src/domain/group/summarize-group-sessions.js';
import { createRandom } from '../../src/simulate/random.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { BASE, deliver, drawRooms, storedSessions } from '../contract/group-stats-contract.js';
import { createTestSchema, describePostgres } from './pg-test-schema.js';

const HOUR = 3_600_000;

describePostgres('group statistics with two PostgreSQL receivers', (url) => {
  it('when two receivers record rooms of the same hours while both keep asking, then no rebuild is lost and the last answers equal the brute force', { timeout: 60_000 }, async () => {
    const schema = await createTestSchema(url);
    const stores = [await createPostgresStore(schema.url), await createPostgresStore(schema.url)] as const;
    try {
      const random = createRandom('two-receivers');
      // Every room in the same six hours: the receivers mark and rebuild the same slots.
      const rooms = drawRooms(random, 60, BASE, 6 * HOUR);
      const halves = [rooms.slice(0, 30), rooms.slice(30)];
      const filter = { from: BASE - HOUR, to: BASE + 12 * HOUR };
      const clock = { now: BASE + 2 * 86_400_000, deadlineMs: HOUR };
      let recording = true;
      const ask = async (store: (typeof stores)[number]) => {
        let asked = 0;
        while (recording) {
          await store.groupStatsSummary({ filter, clock });
          asked++;
        }
        return asked;
      };
      const askers = stores.map((store) => ask(store));
      // Room by room, so that rebuilds run between the commits of both receivers.
      await Promise.all(stores.map(async (store, n) => {
        for (const events of halves[n] ?? []) await deliver(store, random, events);
      }));
      recording = false;
      const asked = await Promise.all(askers);
      assert.ok(asked.every((n) => n > 0), `both receivers asked while recording (${asked.join(' and ')})`);
      const sessions = await storedSessions(stores[0], rooms.map((events) => (events[0] as GroupCallEvent).sid), clock);
      assert.equal(sessions.length, 60);
      for (const store of stores) {
        const answer = await store.groupStatsSummary({ filter, clock });
        assert.deepEqual([answer.source, answer.summary], ['rollups', summarizeGroupSessions(sessions)]);
      }
    } finally {
      for (const store of stores) await store.close();
      await schema.drop();
    }
  });
});
