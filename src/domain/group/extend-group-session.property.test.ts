import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validGroupCallEvent } from '../../../test/fixtures/group-call-fixture.js';
import type { GroupCallEvent } from '../group-call-event.js';
import { buildGroupSession } from './build-group-session.js';
import { canExtendGroupSession, extendGroupSession, type OpenSessionFacts } from './extend-group-session.js';
import type { GroupSession } from './group-session.js';
import { orderGroupEvents } from './order-group-events.js';

const RUNS = { numRuns: 400 };
const T0 = 1_700_000_000_000;
const CLOCK = { now: 0, deadlineMs: 0 };
const SID = '0123456789abcdef0123456789abcdef';

/** Events of one room: few participants and seconds, so times tie and every msc meets every state of a stay. */
const anyEvent = fc
  .record({
    user_id: fc.constantFrom('a', 'b', 'c', 'd'),
    sc: fc.constantFrom('S' as const, 'C' as const, 'C' as const, 'C' as const, 'C' as const, 'E' as const),
    msc: fc.constantFrom('C' as const, 'D' as const, 'T' as const, 'M' as const),
    ts: fc.integer({ min: 0, max: 12 }).map((s) => T0 + s * 1000),
    online: fc.integer({ min: 0, max: 4 }),
    media_type: fc.constantFrom('A' as const, 'V' as const),
    ue_type: fc.constantFrom('ANDROID', 'IOS'),
    display_name: fc.option(fc.constantFrom('Ann', 'Bo'), { nil: null }),
    disconnect_reason: fc.option(fc.constantFrom(1001, 1301, 1401, 1405), { nil: null }),
    releaser_type: fc.option(fc.constantFrom(3, 4, 5), { nil: null }),
    id: fc.constantFrom('room-1', 'room-1', 'room-1', 'room-1', 'room-2'),
  })
  .map((fields) => validGroupCallEvent({ sid: SID, ...fields }));

/** A room's events in the order of §1 cut in two: what is stored, and what comes after it. */
const storedAndFresh = fc
  .array(anyEvent, { minLength: 2, maxLength: 30 })
  .map(orderGroupEvents)
  .filter((ordered) => ordered.length >= 2)
  .chain((ordered) =>
    fc.tuple(fc.integer({ min: 1, max: ordered.length - 1 }), fc.integer({ min: 1, max: 6 })).map(([cut, count]) => ({
      stored: ordered.slice(0, cut),
      fresh: ordered.slice(cut, cut + count),
    })),
  );

/** What storage knows of a session built from `stored`. */
function factsOf(session: GroupSession, stored: readonly GroupCallEvent[]): OpenSessionFacts {
  return {
    sid: session.sid,
    svc_id: session.svc_id,
    id: session.id,
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

describe('extendGroupSession (docs/spec/group-calls.md §1-2)', () => {
  it('when events that come after every stored one are added to an open session, then the session and stays are those a rebuild gives', () => {
    let extended = 0;
    fc.assert(
      fc.property(storedAndFresh, ({ stored, fresh }) => {
        const before = buildGroupSession(stored, CLOCK) as GroupSession;
        const facts = factsOf(before, stored);
        fc.pre(before.ended_at === null && canExtendGroupSession(facts, fresh));
        const who = new Set(fresh.map((e) => e.user_id));
        const histories = [...who].map((user) => ({
          events: [...stored, ...fresh].filter((e) => e.user_id === user),
          stays: before.stays.flatMap((stay, seq) => (stay.user_id === user ? [{ seq, ...stay }] : [])),
        }));
        const extension = extendGroupSession(facts, fresh, histories);
        assert.notEqual(extension, null);
        extended++;
        const after = buildGroupSession([...stored, ...fresh], CLOCK) as GroupSession;
        const { session, stays } = extension as NonNullable<typeof extension>;
        assert.deepEqual(session, {
          last_event_at: Math.max(...fresh.map((e) => e.ts)),
          participants: after.participants,
          peak_online: after.peak_online,
          final_online: after.final_online,
          peak_stays: after.peak_stays,
          event_count: after.event_count,
          flags: after.flags,
        });
        // The participants' stays at their seqs; every other stay as before; no stay missing.
        const changed = new Map(stays.map((s) => [s.seq, s.stay]));
        assert.equal(after.stays.length, Math.max(before.stays.length, ...stays.map((s) => s.seq + 1)));
        for (const [seq, stay] of after.stays.entries()) assert.deepEqual(changed.get(seq) ?? before.stays[seq], stay, `stay ${seq}`);
      }),
      RUNS,
    );
    // The precondition must leave enough cases to mean something.
    assert.ok(extended > 50, `only ${extended} cases extended`);
  });

  it('when a fresh event starts or ends the room, ties the last stored time, or names another room, then the session is not extended', () => {
    const stored = [
      validGroupCallEvent({ sid: SID, sc: 'S', msc: 'C', user_id: 'a', ts: T0 }),
      validGroupCallEvent({ sid: SID, sc: 'C', msc: 'C', user_id: 'b', ts: T0 + 1000 }),
    ];
    const facts = factsOf(buildGroupSession(stored, CLOCK) as GroupSession, stored);
    const later = { sid: SID, sc: 'C' as const, msc: 'D' as const, user_id: 'b', ts: T0 + 2000 };
    assert.equal(canExtendGroupSession(facts, [validGroupCallEvent(later)]), true);
    assert.equal(canExtendGroupSession(facts, []), false);
    assert.equal(canExtendGroupSession(facts, [validGroupCallEvent({ ...later, sc: 'E' })]), false);
    assert.equal(canExtendGroupSession(facts, [validGroupCallEvent({ ...later, sc: 'S' })]), false);
    assert.equal(canExtendGroupSession(facts, [validGroupCallEvent({ ...later, ts: T0 + 1000 })]), false);
    assert.equal(canExtendGroupSession(facts, [validGroupCallEvent({ ...later, id: 'another-room' })]), false);
  });
});
