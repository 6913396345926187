import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import { anyRoomEvent } from '../../../test/fixtures/group-event-arbitrary.js';
import type { GroupCallEvent } from '../group-call-event.js';
import { buildGroupSession } from './build-group-session.js';
import { canUpdateOpenSession, type OpenSessionFacts, planOpenSessionUpdate, updateOpenSession } from './update-open-session.js';
import type { GroupSession, ParticipantStay } from './group-session.js';
import { orderGroupEvents } from './order-group-events.js';

const RUNS = { numRuns: 600 };
const T0 = 1_700_000_000_000;
const CLOCK = { now: 0, deadlineMs: 0 };
const SID = '0123456789abcdef0123456789abcdef';

/** Events of one room, mostly changes (sc=C), which are what an update takes. */
const anyEvent = anyRoomEvent(SID, { users: ['a', 'b', 'c', 'd'], seconds: 12, sc: ['S', 'C', 'C', 'C', 'C', 'E'] });

/** A room's distinct events split in two: what is stored, and what a batch brings; in order (`live`) or any. */
const storedAndFresh = fc
  .array(anyEvent, { minLength: 2, maxLength: 30 })
  .map(orderGroupEvents)
  .filter((ordered) => ordered.length >= 2)
  .chain((ordered) =>
    fc.oneof(
      // Live: the batch is what comes after a cut.
      fc.tuple(fc.integer({ min: 1, max: ordered.length - 1 }), fc.integer({ min: 1, max: 6 })).map(([cut, count]) => ({
        stored: ordered.slice(0, cut),
        fresh: ordered.slice(cut, cut + count),
      })),
      // Late: the batch is any few of the events.
      fc.subarray(ordered.map((_, i) => i), { minLength: 1, maxLength: Math.min(4, ordered.length - 1) }).map((picked) => ({
        stored: ordered.filter((_, i) => !picked.includes(i)),
        fresh: picked.map((i) => ordered[i] as GroupCallEvent),
      })),
    ),
  )
  .filter(({ stored }) => stored.length > 0);

/** What storage knows of a session built from `stored`. */
function factsOf(session: GroupSession, stored: readonly GroupCallEvent[]): OpenSessionFacts {
  return {
    sid: session.sid,
    svc_id: session.svc_id,
    id: session.id,
    started_at: session.started_at,
    last_event_at: Math.max(...stored.map((e) => e.ts)),
    participants: session.participants,
    peak_online: session.peak_online,
    final_online: session.final_online,
    peak_stays: session.peak_stays,
    event_count: session.event_count,
    flags: session.flags,
    stay_count: session.stays.length,
    open_stays: session.stays.filter((s) => s.joined_at !== null && s.left_at === null).length,
  };
}

const placeOf = (stay: ParticipantStay, seq: number) => ({ seq, joined_at: stay.joined_at, left_at: stay.left_at });
const participantPlaceOf = (stay: ParticipantStay, seq: number) => ({ ...placeOf(stay, seq), user_svc_id: stay.user_svc_id, user_id: stay.user_id });
const opening = (stay: ParticipantStay) => stay.joined_at ?? stay.left_at ?? 0;

describe('updateOpenSession (docs/spec/group-calls.md §1-2)', () => {
  it('when events of an open session arrive in order or late, then its columns and stays, written as the update says, are those a rebuild gives', () => {
    const cases = { none: 0, counts: 0, places: 0, moved: 0, tied: 0 };
    fc.assert(
      fc.property(storedAndFresh, ({ stored, fresh }) => {
        const before = buildGroupSession(stored, CLOCK) as GroupSession;
        const facts = factsOf(before, stored);
        fc.pre(before.ended_at === null && canUpdateOpenSession(facts, fresh));
        const who = new Set(fresh.map((e) => e.user_id));
        const histories = [...who].map((user) => ({
          events: [...stored, ...fresh].filter((e) => e.user_id === user),
          stays: before.stays.flatMap((stay, seq) => (stay.user_id === user ? [participantPlaceOf(stay, seq)] : [])),
        }));
        // Only what the plan needs is given: the counts are wrong unless asked for.
        const plan = planOpenSessionUpdate(facts, fresh, histories);
        const needs = plan.needs;
        const counted = needs === 'counts' ? facts : { ...facts, stay_count: -100, open_stays: -100 };
        const update = updateOpenSession(counted, fresh, plan, needs === 'places' ? before.stays.map(placeOf) : null);
        const after = buildGroupSession([...stored, ...fresh], CLOCK) as GroupSession;
        if (update === null) {
          // Only when one of the participants' stays opens at the very millisecond of another's (the session is rebuilt).
          const theirs = new Set(after.stays.filter((s) => who.has(s.user_id)).map(opening));
          assert.ok(needs === 'places' && before.stays.some((s) => !who.has(s.user_id) && theirs.has(opening(s))), 'not updated without a tie');
          cases.tied++;
          return;
        }
        const { session, stays, vacated, moves } = update;
        cases[needs]++;
        if (moves.length > 0) cases.moved++;
        assert.deepEqual(session, {
          last_event_at: Math.max(...stored.map((e) => e.ts), ...fresh.map((e) => e.ts)),
          participants: after.participants,
          peak_online: after.peak_online,
          final_online: after.final_online,
          peak_stays: after.peak_stays,
          event_count: after.event_count,
          flags: after.flags,
        });
        // The stored stays, written as storage does: vacated seqs deleted, moves, then the participants' stays.
        const rows = new Map(before.stays.map((stay, seq) => [seq, stay]));
        for (const seq of vacated) rows.delete(seq);
        const moving = moves.map(({ from, to }) => [to, rows.get(from) as ParticipantStay] as const);
        for (const { from } of moves) rows.delete(from);
        for (const [to, stay] of moving) rows.set(to, stay);
        for (const { seq, stay } of stays) rows.set(seq, stay);
        assert.deepEqual([...rows.entries()].sort((a, b) => a[0] - b[0]), after.stays.map((stay, seq) => [seq, stay]));
      }),
      RUNS,
    );
    // The precondition must leave enough cases of each kind to mean something.
    assert.ok(cases.none > 40 && cases.counts > 40 && cases.places > 40 && cases.moved > 10, JSON.stringify(cases));
  });

  it('when a fresh event starts or ends the room, ties the last stored time, comes before the start or names another room, then the session is not updated', () => {
    const stored = [
      validGroupCallEvent({ sid: SID, sc: 'S', msc: 'C', user_id: 'a', ts: T0 }),
      validGroupCallEvent({ sid: SID, sc: 'C', msc: 'C', user_id: 'b', ts: T0 + 2000 }),
    ];
    const facts = factsOf(buildGroupSession(stored, CLOCK) as GroupSession, stored);
    const later = { sid: SID, sc: 'C' as const, msc: 'D' as const, user_id: 'b', ts: T0 + 3000 };
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent(later)]), true);
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent({ ...later, ts: T0 + 1000 })]), true);
    assert.equal(canUpdateOpenSession(facts, []), false);
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent({ ...later, sc: 'E' })]), false);
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent({ ...later, sc: 'S' })]), false);
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent({ ...later, ts: T0 + 2000 })]), false);
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent({ ...later, ts: T0 })]), false);
    assert.equal(canUpdateOpenSession(facts, [validGroupCallEvent({ ...later, id: 'another-room' })]), false);
  });
});
