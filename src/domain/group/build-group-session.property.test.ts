import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import type { GroupCallEvent } from '../group-call-event.js';
import { buildGroupSession } from './build-group-session.js';
import { STAY_STATUSES } from './stay-status.js';

/** Bounded runs: the suite stays fast and deterministic in time. */
const RUNS = { numRuns: 300 };
const T0 = 1_700_000_000_000;
const CLOCK = { now: T0 + 60_000, deadlineMs: 30_000 };

/**
 * Any event of one room: few participants and a few seconds of time, so that keys
 * collide (versions of one event), times tie and every msc meets every state of a stay.
 */
const anyEvent = (sid: string) =>
  fc
    .record({
      user_id: fc.constantFrom('a', 'b', 'c'),
      sc: fc.constantFrom('S' as const, 'C' as const, 'E' as const),
      msc: fc.constantFrom('C' as const, 'D' as const, 'T' as const, 'M' as const),
      ts: fc.integer({ min: 0, max: 20 }).map((s) => T0 + s * 1000),
      online: fc.integer({ min: 0, max: 4 }),
      media_type: fc.constantFrom('A' as const, 'V' as const),
      ue_type: fc.constantFrom('ANDROID', 'IOS'),
      display_name: fc.option(fc.constantFrom('Ann', 'Bo'), { nil: null }),
      disconnect_reason: fc.option(fc.constantFrom(1001, 1002, 1301, 1401, 1402, 1405, 1399), { nil: null }),
      releaser_type: fc.option(fc.constantFrom(3, 4, 5), { nil: null }),
      id: fc.constantFrom('room-1', 'room-1', 'room-1', 'room-2'),
    })
    .map((fields) => validGroupCallEvent({ sid, ...fields }));

/** A room's events, and the same events shuffled with some delivered again. */
const roomAndRedelivery = fc
  .stringMatching(/^[0-9a-f]{32}$/)
  .chain((sid) => fc.array(anyEvent(sid), { minLength: 1, maxLength: 25 }))
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
