import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { groupCallEventHashOf, groupCallEventKeyOf } from '../../src/domain/canonical-group-call-event.js';
import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import { buildGroupSession } from '../../src/domain/group/build-group-session.js';
import type { GroupClock } from '../../src/domain/group/group-session.js';
import { toGroupCallEventRecord } from '../../src/ingest/receive-callback.js';
import { checkRebuild } from '../../src/ingest/rebuild/check-rebuild.js';
import { rebuildFromRaw } from '../../src/ingest/rebuild/rebuild-from-raw.js';
import { replayQuarantine } from '../../src/ingest/replay-quarantine.js';
import { createRandom } from '../../src/simulate/random.js';
import { generateGroupRoom } from '../../src/simulate/group/generate-group-room.js';
import type { CallbackRecord, CallStore, GroupCallFilter, StoredGroupCall } from '../../src/storage/port.js';
import { streamGroupLines } from '../../src/domain/group/stream-group-lines.js';
import { groupCallValuesOf, legacyGroupCallValuesOf, newGroupSid, validGroupCallEvent, validGroupCallValues } from '../fixtures/group-call-fixture.js';
import type { StoreFactory } from './ingest-contract.js';

const T0 = 1_700_000_000_000;
/** GROUP_END_DEADLINE of these tests: an hour after the last event. */
const DEADLINE_MS = 3_600_000;

/** A Group Call Event delivery built exactly as the HTTP layer builds it (GET, query keys). */
export function groupDeliveryOf(values: Record<string, string>, receivedAt = T0 + 5_000_000): CallbackRecord {
  const query = new URLSearchParams(values).toString();
  const raw = { receivedAt, method: 'GET', path: '/callbacks/group-call-event', query, body: null, contentType: null, sourceIp: '127.0.0.1' };
  return toGroupCallEventRecord(raw, new Map(Object.entries(values)), []);
}

const deliveryOfEvent = (event: GroupCallEvent) => groupDeliveryOf(groupCallValuesOf(event));

/** The stored group call as the builder's session: what the store adds of its own taken out. */
function asSession(stored: StoredGroupCall | null) {
  assert.ok(stored, 'the group call is stored');
  const { last_event_at: _last, conflicts: _conflicts, ...session } = stored;
  return session;
}

/** Records deliveries in batches of the given sizes (the rest in a last batch). */
async function recordInBatches(store: CallStore, records: readonly CallbackRecord[], sizes: readonly number[]) {
  let at = 0;
  for (const size of [...sizes, records.length]) {
    if (at >= records.length) break;
    await store.recordCallbacks(records.slice(at, at + Math.max(1, size)));
    at += Math.max(1, size);
  }
}

/** One room's events with distinct keys (storage keeps the first version of a key: versions would make the answer depend on arrival). */
const roomEvents = fc
  .array(
    fc.record({
      user_id: fc.constantFrom('a', 'b', 'c'),
      sc: fc.constantFrom('S' as const, 'C' as const, 'E' as const),
      msc: fc.constantFrom('C' as const, 'D' as const, 'T' as const, 'M' as const),
      ts: fc.integer({ min: 0, max: 20 }).map((s) => T0 + s * 1000),
      online: fc.integer({ min: 0, max: 4 }),
      media_type: fc.constantFrom('A' as const, 'V' as const),
      disconnect_reason: fc.option(fc.constantFrom(1001, 1301, 1401, 1402, 1405), { nil: null }),
      releaser_type: fc.option(fc.constantFrom(3, 4, 5), { nil: null }),
    }),
    { minLength: 1, maxLength: 15 },
  )
  .map((drawn) => {
    const sid = newGroupSid();
    const byKey = new Map<string, GroupCallEvent>();
    for (const fields of drawn) {
      const event = validGroupCallEvent({ sid, ...fields });
      byKey.set(groupCallEventKeyOf(event), event);
    }
    return [...byKey.values()];
  });

/** A room's events, delivered shuffled with repeats, cut into batches. */
const roomDelivery = roomEvents.chain((events) =>
  fc.record({
    events: fc.constant(events),
    delivered: fc.array(fc.nat({ max: events.length - 1 }), { maxLength: 10 }).chain((again) => {
      const all = [...events, ...again.map((i) => events[i] as GroupCallEvent)];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    }),
    batches: fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 5 }),
  }),
);

/** The group call part of the storage contract (docs/spec/callbacks.md §2, docs/spec/group-calls.md). */
export function describeGroupCallsContract(name: string, open: StoreFactory, options: { runs: number }): void {
  describe(`${name}: group calls contract`, () => {
    const clock: GroupClock = { now: T0 + 60_000, deadlineMs: DEADLINE_MS };

    it('when an event, its repeat in the 2020 shape, a conflicting version and a malformed one are recorded, then results say so in order', async () => {
      const { store, cleanup } = await open();
      try {
        const event = validGroupCallEvent({ sc: 'S', display_name: 'Alice', extra: { room_tag: 'kept' } });
        const bad = validGroupCallValues({ sid: event.sid, sc: 'X', online: '-1', ts: undefined });
        const results = await store.recordCallbacks([
          deliveryOfEvent(event),
          groupDeliveryOf(legacyGroupCallValuesOf(event, 999)),
          deliveryOfEvent({ ...event, online: 3 }),
          deliveryOfEvent({ ...event, online: 3 }),
          groupDeliveryOf(bad),
        ]);
        assert.deepEqual(results, ['accepted', 'duplicate', 'conflict', 'duplicate', 'quarantined']);
        const stored = await store.getGroupCall(event.sid, clock);
        assert.equal(stored?.event_count, 1);
        assert.equal(stored?.peak_online, 1, 'the first version stays the event');
        assert.equal(stored?.conflicts, 1);
        assert.equal(stored?.stays[0]?.display_name, 'Alice');
        const [entry] = await store.listQuarantine({ limit: 10 });
        assert.deepEqual(entry?.reasons.map((r) => r.field).sort(), ['online', 'sc', 'ts']);
        assert.equal(entry?.path, '/callbacks/group-call-event');
      } finally {
        await cleanup();
      }
    });

    it('when one batch holds new events of several rooms, repeats and versions of stored keys and keys repeated within it, then each result and stored row is that of recording them one by one', async () => {
      const { store, cleanup } = await open();
      try {
        const a = validGroupCallEvent({ sc: 'S', ts: T0 });
        const b = validGroupCallEvent({ sc: 'S', ts: T0 });
        const a2 = validGroupCallEvent({ sid: a.sid, user_id: 'bob', ts: T0 + 1_000, online: 2 });
        const c = validGroupCallEvent({ sc: 'S', ts: T0 + 2_000 });
        const d = validGroupCallEvent({ sc: 'S', ts: T0 + 3_000 });
        assert.deepEqual(await store.recordCallbacks([deliveryOfEvent(a), deliveryOfEvent(b)]), ['accepted', 'accepted']);
        const batch = [
          c, // a new room
          a2, // a new key of a stored room
          a, // a stored key, identical: duplicate
          { ...a, online: 7 }, // a stored key, differing: conflict
          { ...a, online: 7 }, // the same version again: duplicate
          { ...b, online: 3 }, // a version of another room's stored key: conflict
          c, // a key stored earlier in the batch, identical: duplicate
          { ...c, online: 4 }, // a key stored earlier in the batch, differing: conflict
          { ...a, online: 8 }, // a second version of one key: conflict
          d, // a third new room
        ].map(deliveryOfEvent);
        assert.deepEqual(await store.recordCallbacks(batch), ['accepted', 'accepted', 'duplicate', 'conflict', 'duplicate', 'conflict', 'duplicate', 'conflict', 'conflict', 'accepted']);
        assert.deepEqual(await store.recordCallbacks([{ ...a, online: 7 }, { ...c, online: 4 }, { ...b, online: 5 }].map(deliveryOfEvent)), ['duplicate', 'duplicate', 'conflict'],
          'each conflicting version is kept once, across batches too');

        // One event per key: its first version, the raw request that brought it, its versions counted.
        const raws = await store.derivedRows().rawRequestsAfter(0, 100);
        const rawIdAt = (n: number) => (raws[n] as { id: number }).id;
        const storedEvent = (event: GroupCallEvent, rawAt: number, conflicts: number) =>
          ({ raw_request_id: rawIdAt(rawAt), sid: event.sid, key: groupCallEventKeyOf(event), content_hash: groupCallEventHashOf(event), conflicts });
        assert.deepEqual(await store.derivedRows().groupEventsAfter(0, 100), [
          storedEvent(a, 0, 2), storedEvent(b, 1, 2), storedEvent(c, 2, 1), storedEvent(a2, 3, 0), storedEvent(d, 11, 0),
        ]);
        assert.deepEqual(raws.map((r) => r.result), ['accepted', 'accepted', 'accepted', 'accepted', 'duplicate', 'conflict', 'duplicate', 'conflict', 'duplicate', 'conflict', 'conflict', 'accepted', 'duplicate', 'duplicate', 'conflict']);
        // The sessions were rebuilt for rooms that only gained a conflicting version too.
        const sessions = await Promise.all([a, b, c, d].map((e) => store.getGroupCall(e.sid, clock)));
        assert.deepEqual(sessions.map((s) => [s?.event_count, s?.conflicts]), [[2, 2], [1, 2], [1, 1], [1, 0]]);
      } finally {
        await cleanup();
      }
    });

    it('when the sid is sent as a UUID in upper case, then the event is the same and the call is found by either spelling', async () => {
      const { store, cleanup } = await open();
      try {
        const event = validGroupCallEvent();
        const s = event.sid.toUpperCase();
        const uuid = `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
        const results = await store.recordCallbacks([deliveryOfEvent(event), groupDeliveryOf({ ...groupCallValuesOf(event), sid: uuid })]);
        assert.deepEqual(results, ['accepted', 'duplicate']);
        assert.equal((await store.getGroupCall(uuid, clock))?.sid, event.sid);
      } finally {
        await cleanup();
      }
    });

    it('when a simulated room is delivered backwards in three batches, then the stored session and stays are what buildGroupSession gives', async () => {
      const { store, cleanup } = await open();
      try {
        const room = generateGroupRoom(createRandom('group-contract'), { startMs: T0, spanMs: 60_000, maxParticipants: 6, neverEndsShare: 0, rejoinShare: 0.5 });
        const records = [...room.events].reverse().map(deliveryOfEvent);
        await recordInBatches(store, records, [2, 3]);
        const stored = await store.getGroupCall(room.sid, clock);
        assert.deepEqual(asSession(stored), buildGroupSession(room.events, clock));
        assert.deepEqual(stored?.stays.map((s) => `${s.user_id}:${s.status}`).sort(), room.stays);
        assert.equal(stored?.state, 'ended');
      } finally {
        await cleanup();
      }
    });

    it("when a room's events arrive in any order, with repeats, in several batches, then the stored session and stays are the same", async () => {
      const { store, cleanup } = await open();
      try {
        await fc.assert(
          fc.asyncProperty(roomDelivery, async ({ events, delivered, batches }) => {
            await recordInBatches(store, delivered.map(deliveryOfEvent), batches);
            const sid = (events[0] as GroupCallEvent).sid;
            assert.deepEqual(asSession(await store.getGroupCall(sid, clock)), buildGroupSession(events, clock));
          }),
          { numRuns: options.runs },
        );
      } finally {
        await cleanup();
      }
    });

    it('when the room end (sc=E) comes late, then the session turns from in_progress or end_missing to ended and open stays close at the end', async () => {
      const { store, cleanup } = await open();
      try {
        const sid = newGroupSid();
        const start = validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'host', ts: T0 });
        const guest = validGroupCallEvent({ sid, sc: 'C', msc: 'C', user_id: 'guest', ts: T0 + 1_000, online: 2 });
        await store.recordCallbacks([deliveryOfEvent(guest), deliveryOfEvent(start)]);
        assert.equal((await store.getGroupCall(sid, { now: T0 + 2_000, deadlineMs: DEADLINE_MS }))?.state, 'in_progress');
        const late = { now: T0 + 1_000 + DEADLINE_MS + 1, deadlineMs: DEADLINE_MS };
        assert.equal((await store.getGroupCall(sid, late))?.state, 'end_missing');
        assert.deepEqual((await store.listGroupCalls({ filter: { state: 'end_missing' }, clock: late, limit: 10 })).calls.map((c) => c.sid), [sid]);

        const end = validGroupCallEvent({ sid, sc: 'E', msc: 'D', user_id: 'host', ts: T0 + 9_000, online: 0, disconnect_reason: 1001, releaser_type: 3 });
        assert.deepEqual(await store.recordCallbacks([deliveryOfEvent(end)]), ['accepted']);
        const ended = await store.getGroupCall(sid, late);
        assert.equal(ended?.state, 'ended');
        assert.equal(ended?.ended_at, T0 + 9_000);
        assert.equal(ended?.duration_ms, 9_000);
        const guestStay = ended?.stays.find((s) => s.user_id === 'guest');
        assert.equal(guestStay?.end, 'room_end');
        assert.equal(guestStay?.left_at, T0 + 9_000);
        assert.deepEqual(asSession(ended), buildGroupSession([start, guest, end], late));
      } finally {
        await cleanup();
      }
    });

    it('when group calls are listed, then each filter selects its sessions and pages go newest start first without repeats or gaps', async () => {
      const { store, cleanup } = await open();
      try {
        // Five rooms a minute apart; the odd ones in room-2, hosted by bob, with carol failing to join.
        const sids: string[] = [];
        const records: CallbackRecord[] = [];
        for (let i = 0; i < 5; i++) {
          const sid = newGroupSid();
          sids.push(sid);
          const ts = T0 + i * 60_000;
          const room = i % 2 === 1 ? { id: 'room-2', host_id: 'bob' } : { id: 'room-1', host_id: 'alice' };
          records.push(deliveryOfEvent(validGroupCallEvent({ sid, ...room, sc: 'S', msc: 'C', user_id: room.host_id, ts })));
          if (i % 2 === 1) {
            records.push(deliveryOfEvent(validGroupCallEvent({ sid, ...room, sc: 'C', msc: 'D', user_id: 'carol', ts: ts + 1, disconnect_reason: 1401, releaser_type: 4 })));
          }
          if (i < 3) records.push(deliveryOfEvent(validGroupCallEvent({ sid, ...room, sc: 'E', msc: 'D', user_id: room.host_id, ts: ts + 30_000, online: 0 })));
        }
        await store.recordCallbacks(records);
        const now = { now: T0 + 10 * 60_000, deadlineMs: DEADLINE_MS };
        const list = async (filter: GroupCallFilter) => (await store.listGroupCalls({ filter, clock: now, limit: 10 })).calls.map((c) => c.sid);
        const newestFirst = (...indexes: number[]) => indexes.sort((a, b) => b - a).map((i) => sids[i]);

        assert.deepEqual(await list({}), newestFirst(0, 1, 2, 3, 4));
        assert.deepEqual(await list({ svc_id: 'linecorp.com', id: 'room-2' }), newestFirst(1, 3));
        assert.deepEqual(await list({ host_id: 'alice' }), newestFirst(0, 2, 4));
        assert.deepEqual(await list({ user_id: 'carol' }), newestFirst(1, 3));
        assert.deepEqual(await list({ user_svc_id: 'other.com', user_id: 'carol' }), []);
        assert.deepEqual(await list({ stay_status: 'failed_to_join' }), newestFirst(1, 3));
        assert.deepEqual(await list({ from: T0 + 60_000, to: T0 + 3 * 60_000 }), newestFirst(1, 2));
        assert.deepEqual(await list({ state: 'ended' }), newestFirst(0, 1, 2));
        assert.deepEqual(await list({ state: 'in_progress' }), newestFirst(3, 4));
        assert.deepEqual(await list({ state: 'end_missing' }), []);

        const paged: string[] = [];
        let page = await store.listGroupCalls({ filter: {}, clock: now, limit: 2 });
        paged.push(...page.calls.map((c) => c.sid));
        while (page.next !== null) {
          page = await store.listGroupCalls({ filter: {}, clock: now, limit: 2, after: page.next });
          paged.push(...page.calls.map((c) => c.sid));
        }
        assert.deepEqual(paged, newestFirst(0, 1, 2, 3, 4));
        const first = (await store.listGroupCalls({ filter: { id: 'room-2' }, clock: now, limit: 10 })).calls[0];
        assert.equal(first?.participants, 1, 'carol never joined');
        assert.equal(first?.state, 'in_progress');
        assert.equal('stays' in (first ?? {}), false, 'a list holds sessions without their stays');
        assert.deepEqual(first?.stay_counts, { completed: 0, dropped: 0, timed_out: 0, kicked: 0, replaced: 0, failed_to_join: 1, in_room: 1 });
        const ended = (await store.listGroupCalls({ filter: { id: 'room-1' }, clock: now, limit: 10 })).calls.at(-1);
        assert.deepEqual(ended?.stay_counts, { completed: 1, dropped: 0, timed_out: 0, kicked: 0, replaced: 0, failed_to_join: 0, in_room: 0 }, 'the host left at the end');
      } finally {
        await cleanup();
      }
    });

    it('when a group export streams stays in pages and /metrics counts open sessions and recent stays, then every stay comes once in its session order and the counts split at the deadline and the window', async () => {
      const { store, cleanup } = await open();
      try {
        // Three rooms a minute apart: the first ended, the second open, the third open with a guest refused.
        const sids = [0, 1, 2].map(() => newGroupSid());
        const records = sids.flatMap((sid, i) => {
          const ts = T0 + i * 60_000;
          return [
            validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'host', ts }),
            validGroupCallEvent({ sid, sc: 'C', msc: 'C', user_id: 'guest', ts: ts + 1_000, online: 2 }),
            ...(i === 0 ? [validGroupCallEvent({ sid, sc: 'E', msc: 'D', user_id: 'host', ts: ts + 30_000, online: 0 })] : []),
            ...(i === 2 ? [validGroupCallEvent({ sid, sc: 'C', msc: 'D', user_id: 'carol', ts: ts + 2_000, disconnect_reason: 1401, releaser_type: 4 })] : []),
          ].map(deliveryOfEvent);
        });
        await store.recordCallbacks(records);
        const clock = { now: T0 + 3 * 60_000, deadlineMs: DEADLINE_MS };
        const expected = [];
        for (const sid of [...sids].reverse()) {
          const call = await store.getGroupCall(sid, clock);
          assert.ok(call);
          for (const stay of call.stays) {
            expected.push({ sid, svc_id: call.svc_id, id: call.id, session_started_at: call.started_at, session_ended_at: call.ended_at, session_state: call.state, ...stay });
          }
        }
        const lines = [];
        for await (const line of streamGroupLines(store, {}, clock, 'stays', 2)) lines.push(line);
        assert.equal(lines.length, 7);
        assert.deepEqual(lines, expected);
        const sessions = [];
        for await (const line of streamGroupLines(store, { state: 'in_progress' }, clock, 'sessions', 1)) sessions.push(line.sid);
        assert.deepEqual(sessions, [sids[2], sids[1]]);
        assert.deepEqual([...(await store.listGroupStays([sids[2] ?? '', newGroupSid()])).keys()], [sids[2]]);
        assert.deepEqual(await store.countOpenGroupSessions(clock), { in_progress: 2, end_missing: 0 });
        // The second room's last event is a minute before the third's: only it passes the deadline.
        const between = { now: T0 + 60_000 + 1_000 + DEADLINE_MS + 1, deadlineMs: DEADLINE_MS };
        assert.deepEqual(await store.countOpenGroupSessions(between), { in_progress: 1, end_missing: 1 });
        assert.deepEqual(await store.countRecentGroupStays(T0), { completed: 2, in_room: 4, failed_to_join: 1 });
        assert.deepEqual(await store.countRecentGroupStays(T0 + 60_000), { in_room: 4, failed_to_join: 1 }, 'only sessions started since');
        assert.deepEqual(await store.countRecentGroupStays(T0 + 3 * 60_000), {});
      } finally {
        await cleanup();
      }
    });

    it('when a group event an older version refused is replayed, then it joins its room session as a live delivery would', async () => {
      const { store, cleanup } = await open();
      try {
        const sid = newGroupSid();
        const start = validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'host', ts: T0 });
        const leave = validGroupCallEvent({ sid, sc: 'C', msc: 'D', user_id: 'host', ts: T0 + 5_000, online: 0, disconnect_reason: 1402 });
        const refused = groupDeliveryOf(groupCallValuesOf(leave));
        const problems = [{ field: 'disconnect_reason', problem: 'is not a known code (callevt 0.x)' }];
        await store.recordCallbacks([deliveryOfEvent(start), { raw: refused.raw, kind: 'malformed', problems, sid }]);
        assert.equal((await store.getGroupCall(sid, clock))?.stays[0]?.status, 'in_room');
        const summary = await replayQuarantine(store, {}, { dryRun: false });
        assert.deepEqual(summary.counts, { accepted: 1, duplicate: 0, conflict: 0, quarantined: 0 });
        const replayed = await store.getGroupCall(sid, clock);
        assert.deepEqual(asSession(replayed), buildGroupSession([start, leave], clock));
        assert.equal(replayed?.stays[0]?.status, 'kicked');
      } finally {
        await cleanup();
      }
    });

    it('when a store is rebuilt from raw requests holding group events, then every room session and stay is the same', async () => {
      const live = await open();
      const target = await open();
      try {
        const random = createRandom('group-rebuild');
        const rooms = Array.from({ length: 4 }, () => generateGroupRoom(random, { startMs: T0, spanMs: 60_000, maxParticipants: 5, neverEndsShare: 0.3, rejoinShare: 0.3 }));
        const records = rooms.flatMap((room) => room.events.map(deliveryOfEvent));
        await recordInBatches(live.store, [...records].reverse(), [5, 7, 11]);
        await rebuildFromRaw(live.store, target.store, { chunk: 9 });
        for (const room of rooms) assert.deepEqual(await target.store.getGroupCall(room.sid, clock), await live.store.getGroupCall(room.sid, clock));
        const all = { filter: {}, clock, limit: 10 };
        assert.deepEqual(await target.store.listGroupCalls(all), await live.store.listGroupCalls(all));
        const lastRawId = await target.store.derivedRows().lastRawRequestId();
        const findings: string[] = [];
        const report = await checkRebuild(live.store, target.store, { lastRawId, onFinding: (f) => findings.push(`${f.kind} ${f.key} ${f.detail}`) });
        assert.deepEqual(findings, []);
        assert.equal(report.compared.groupEvents, records.length);

        // A live event the rebuild lacks is a difference --check reports.
        const late = validGroupCallEvent({ sid: rooms[0]?.sid ?? '', sc: 'C', msc: 'M', ts: T0 + 59_999 });
        await live.store.recordCallbacks([deliveryOfEvent(late)]);
        const after = await checkRebuild(live.store, target.store, { lastRawId: lastRawId + 1, onFinding: () => undefined });
        assert.equal(after.differences.group_event, 1);
      } finally {
        await live.cleanup();
        await target.cleanup();
      }
    });

    it('when batches of one room are recorded at the same time, then the session holds the events of all', async () => {
      const { store, cleanup } = await open();
      try {
        // Several rooms, each in four batches at once: on PostgreSQL each batch is its own transaction.
        const random = createRandom('group-concurrent');
        for (let r = 0; r < 5; r++) {
          const room = generateGroupRoom(random, { startMs: T0, spanMs: 60_000, maxParticipants: 8, neverEndsShare: 0, rejoinShare: 0 });
          const records = room.events.map(deliveryOfEvent);
          await Promise.all([0, 1, 2, 3].map((part) => store.recordCallbacks(records.filter((_, i) => i % 4 === part))));
          assert.deepEqual(asSession(await store.getGroupCall(room.sid, clock)), buildGroupSession(room.events, clock));
        }
      } finally {
        await cleanup();
      }
    });

    it('when a participant who also hosts is erased, then their events, conflicting versions, stays and raw requests no longer name them', async () => {
      const { store, cleanup } = await open();
      try {
        const sid = newGroupSid();
        const start = validGroupCallEvent({ sid, sc: 'S', msc: 'C', user_id: 'erin', host_id: 'erin', ts: T0, display_name: 'Erin E.', app_svr_data: 'ctx' });
        const guest = validGroupCallEvent({ sid, sc: 'C', msc: 'C', user_id: 'gus', host_id: 'erin', ts: T0 + 1_000, online: 2, display_name: 'Gus' });
        await store.recordCallbacks([deliveryOfEvent(start), deliveryOfEvent(guest), deliveryOfEvent({ ...start, online: 5 })]);
        const receipt = await store.eraseUser({ target: { serviceId: 'linecorp.com', userId: 'erin' }, actor: 'cli', now: T0 + 10_000, pseudonym: 'erased-1' });
        assert.equal(receipt.touched.group_call_events, 2);
        const erased = await store.getGroupCall(sid, clock);
        assert.equal(erased?.host_id, 'erased-1');
        assert.deepEqual(erased?.stays.map((s) => [s.user_id, s.display_name]).sort(), [['erased-1', null], ['gus', 'Gus']]);
        assert.equal(erased?.conflicts, 1);
        assert.deepEqual(await store.listGroupCalls({ filter: { user_id: 'erin' }, clock, limit: 10 }), { calls: [], next: null });
        assert.deepEqual(await store.listGroupCalls({ filter: { host_id: 'erin' }, clock, limit: 10 }), { calls: [], next: null });
        const deliveries = await store.derivedRows().rawRequestsAfter(0, 10);
        assert.equal(deliveries.length, 3);
        assert.deepEqual(deliveries.filter((d) => d.query.includes('erin')), []);
        assert.ok(deliveries.some((d) => d.query.includes('gus')), "the guest's own event is another person's: kept");
      } finally {
        await cleanup();
      }
    });

    it('when retention keeps calls for a day, then rooms that started before the cutoff go whole and later ones stay', async () => {
      const { store, cleanup } = await open();
      try {
        const now = T0 + 3 * 86_400_000;
        const old = validGroupCallEvent({ sc: 'S', ts: T0 });
        const oldLeave = validGroupCallEvent({ sid: old.sid, sc: 'C', msc: 'D', ts: T0 + 1_000 });
        const recent = validGroupCallEvent({ sc: 'S', ts: now - 3_600_000 });
        await store.recordCallbacks([deliveryOfEvent(old), deliveryOfEvent(oldLeave), deliveryOfEvent({ ...oldLeave, online: 9 }), deliveryOfEvent(recent)]);
        const policy = { rawDays: null, quarantineDays: null, callsDays: 1, rollupsDays: null, truncateIpsDays: null };
        const dry = await store.applyRetention({ policy, now, dryRun: true });
        assert.equal(dry.removed.group_sessions, 1);
        assert.equal(dry.removed.group_call_events, 2);
        const report = await store.applyRetention({ policy, now, batchSize: 1 });
        assert.deepEqual([report.removed.group_sessions, report.removed.group_call_events], [1, 2]);
        assert.equal(await store.getGroupCall(old.sid, clock), null);
        assert.equal((await store.getGroupCall(recent.sid, clock))?.event_count, 1);
        assert.deepEqual(await store.recordCallbacks([deliveryOfEvent({ ...oldLeave, online: 9 })]), ['accepted'], 'its conflicting version went with it');
      } finally {
        await cleanup();
      }
    });

    it('when no event of a sid is stored, then it has no group call', async () => {
      const { store, cleanup } = await open();
      try {
        assert.equal(await store.getGroupCall(newGroupSid(), clock), null);
      } finally {
        await cleanup();
      }
    });
  });
}
