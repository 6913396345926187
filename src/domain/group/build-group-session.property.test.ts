import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { anyRoomEvent } from '../../../test/fixtures/group-event-arbitrary.js';
import type { GroupCallEvent } from '../group-call-event.js';
import { buildGroupSession } from './build-group-session.js';
import { STAY_STATUSES } from './stay-status.js';

/** Bounded runs: the suite stays fast and deterministic in time. */
const RUNS = { numRuns: 300 };
const T0 = 1_700_000_000_000;
const CLOCK = { now: T0 + 60_000, deadlineMs: 30_000 };

/** A room's events, and the same events shuffled with some delivered again. */
const roomAndRedelivery = fc
  .stringMatching(/^[0-9a-f]{32}$/)
  .chain((sid) => fc.array(anyRoomEvent(sid), { minLength: 1, maxLength: 25 }))
  .chain((events) =>
    fc.tuple(
      fc.constant(events),
      fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 15 }).chain((again) => {
        const delivered = [...events, ...again.map((i) => structuredClone(events[i] as GroupCallEvent))];
        return fc.shuffledSubarray(delivered, { minLength: delivered.length, maxLength: delivered.length });
      }),
    ),
  );

describe('buildGroupSession properties (docs/spec/group-calls.md §1)', () => {
  it('when a room\'s events arrive in any order and any of them repeatedly, then the session is the same', () => {
    fc.assert(
      fc.property(roomAndRedelivery, ([events, redelivered]) => {
        assert.deepEqual(buildGroupSession(redelivered, CLOCK), buildGroupSession(events, CLOCK));
      }),
      RUNS,
    );
  });

  it('when any events are built, then every stay has a status of §3.1 and the counts hold together', () => {
    fc.assert(
      fc.property(roomAndRedelivery, ([events]) => {
        const session = buildGroupSession(events, CLOCK);
        assert.ok(session !== null);
        const joined = session.stays.filter((s) => s.joined_at !== null);
        for (const stay of session.stays) {
          assert.ok(STAY_STATUSES.includes(stay.status));
          assert.equal(stay.joined_at === null, stay.status === 'failed_to_join');
          assert.equal(stay.status === 'in_room', stay.left_at === null);
          assert.ok(stay.duration_ms === null || stay.duration_ms >= 0);
        }
        if (session.state === 'ended') assert.ok(session.stays.every((s) => s.status !== 'in_room'));
        assert.ok(session.participants <= joined.length);
        assert.ok(session.peak_stays <= joined.length);
        assert.ok(session.event_count <= events.length);
      }),
      RUNS,
    );
  });
});
