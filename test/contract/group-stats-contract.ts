import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import type { GroupClock, GroupSession } from '../../src/domain/group/group-session.js';
import {
  GROUP_BREAKDOWN_FIELDS,
  type GroupBreakdownField,
  type GroupStatsFilter,
  groupBucketBoundaries,
  orderGroupBreakdown,
  sessionValues,
} from '../../src/domain/group/group-stats-query.js';
import { summarizeGroupSessions } from '../../src/domain/group/summarize-group-sessions.js';
import type { Bucket } from '../../src/domain/stats/time-buckets.js';
import { createRandom, type Random } from '../../src/simulate/random.js';
import { DEFAULT_GROUP_ROOM_OPTIONS, generateGroupRoom } from '../../src/simulate/group/generate-group-room.js';
import type { CallStore, StoredGroupCall } from '../../src/storage/port.js';
import { groupCallValuesOf, validGroupCallEvent } from '../fixtures/group-call-fixture.js';
import { groupDeliveryOf } from './group-calls-contract.js';
import type { StoreFactory } from './ingest-contract.js';

/** Friday 2026-04-03 00:00 UTC: Australia/Lord_Howe leaves its 30-minute DST on Sunday the 5th. */
export const BASE = Date.UTC(2026, 3, 3);
const HOUR = 3_600_000;
const DAY = 86_400_000;
const DEADLINE_MS = HOUR;
const ROOM_IDS = ['room-a', 'room-b', 'room c/1'];
const HOST_IDS = ['host-a', 'host-b'];

/** Random rooms starting in [startMs, startMs + spanMs): rooms and hosts from small sets, one in four never ends. */
export function drawRooms(random: Random, count: number, startMs: number, spanMs: number): GroupCallEvent[][] {
  return Array.from({ length: count }, () => {
    const room = generateGroupRoom(random, { ...DEFAULT_GROUP_ROOM_OPTIONS, startMs, spanMs, neverEndsShare: 0.25, maxParticipants: 5 });
    const id = random.pick(ROOM_IDS);
    const host = random.pick(HOST_IDS);
    return room.events.map((e) => ({ ...e, id, host_id: host }));
  });
}

/** Records events shuffled, a few of them twice, in batches of up to 40. */
export async function deliver(store: CallStore, random: Random, events: readonly GroupCallEvent[]): Promise<void> {
  const all = [...events, ...events.filter(() => random.chance(0.1))];
  for (let i = all.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [all[i], all[j]] = [all[j] as GroupCallEvent, all[i] as GroupCallEvent];
  }
  for (let i = 0; i < all.length; i += 40) await store.recordCallbacks(all.slice(i, i + 40).map((e) => groupDeliveryOf(groupCallValuesOf(e))));
}

/** Every stored session, its state read with the clock: what the brute force runs on. */
export async function storedSessions(store: CallStore, sids: Iterable<string>, clock: GroupClock): Promise<GroupSession[]> {
  const found = await Promise.all([...new Set(sids)].map((sid) => store.getGroupCall(sid, clock)));
  return found.filter((s): s is StoredGroupCall => s !== null);
}

/** The sessions a filter selects, by the filter's definition (docs/api.md). */
function select(sessions: readonly GroupSession[], f: GroupStatsFilter): GroupSession[] {
  return sessions.filter(
    (s) =>
      (f.from === undefined || s.started_at >= f.from) &&
      (f.to === undefined || s.started_at < f.to) &&
      (f.media_type === undefined || s.media_type === f.media_type) &&
      (f.svc_id === undefined || s.svc_id === f.svc_id) &&
      (f.id === undefined || s.id === f.id) &&
      (f.host_svc_id === undefined || s.host_svc_id === f.host_svc_id) &&
      (f.host_id === undefined || s.host_id === f.host_id) &&
      (f.state === undefined || s.state === f.state) &&
      (f.stay_status === undefined || s.stays.some((t) => t.status === f.stay_status)) &&
      ((f.user_id === undefined && f.user_svc_id === undefined) ||
        s.stays.some((t) => (f.user_id === undefined || t.user_id === f.user_id) && (f.user_svc_id === undefined || t.user_svc_id === f.user_svc_id))),
  );
}

function bruteTimeseries(sessions: readonly GroupSession[], boundaries: readonly number[]) {
  return boundaries.slice(0, -1).map((start, i) => ({
    bucket_start: start,
    ...summarizeGroupSessions(sessions.filter((s) => s.started_at >= start * 1000 && s.started_at < (boundaries[i + 1] as number) * 1000)),
  }));
}

function bruteBreakdown(sessions: readonly GroupSession[], by: GroupBreakdownField, limit: number) {
  const groups = new Map<string, GroupSession[]>();
  for (const s of sessions) {
    for (const [value, part] of sessionValues(s, by)) {
      let list = groups.get(value);
      if (list === undefined) groups.set(value, (list = []));
      list.push(part);
    }
  }
  return orderGroupBreakdown([...groups].map(([value, list]) => ({ value, ...summarizeGroupSessions(list) })), limit);
}

/** Every answer of the store for a filter equals the brute force; returns where the summary came from. */
async function checkFilter(
  store: CallStore,
  all: readonly GroupSession[],
  clock: GroupClock,
  filter: GroupStatsFilter,
  label: string,
  series: ReadonlyArray<[Bucket, string]> = [],
  by: readonly GroupBreakdownField[] = GROUP_BREAKDOWN_FIELDS,
): Promise<string> {
  const selected = select(all, filter);
  const summary = await store.groupStatsSummary({ filter, clock });
  assert.deepEqual(summary.summary, summarizeGroupSessions(selected), `${label}: summary`);
  for (const field of by) {
    const answer = await store.groupStatsBreakdown({ filter, clock, by: field, limit: 50 });
    assert.deepEqual(answer.items, bruteBreakdown(selected, field, 50), `${label}: breakdown by ${field}`);
  }
  for (const [bucket, tz] of series) {
    assert.ok(filter.from !== undefined && filter.to !== undefined);
    const boundaries = groupBucketBoundaries(filter.from, filter.to, bucket, tz) ?? [];
    const answer = await store.groupStatsTimeseries({ filter, clock, boundaries });
    const expected = bruteTimeseries(selected, boundaries);
    assert.equal(answer.items.length, expected.length, `${label}: ${bucket} buckets in ${tz}`);
    for (const [i, item] of answer.items.entries()) assert.deepEqual(item, expected[i], `${label}: ${bucket} bucket ${i} in ${tz}`);
  }
  return summary.source;
}

/** Windows whose ends are off the quarter-hour, off the hour on a quarter, and on whole UTC days. */
const OFF_QUARTER = { from: BASE + 37 * 60_000 + 12_345, to: BASE + 2 * DAY + 5 * HOUR + 3 * 60_000 + 1 };
const OFF_HOUR = { from: BASE + 2 * HOUR + 15 * 60_000, to: BASE + DAY + 6 * HOUR + 30 * 60_000 };
const WHOLE_DAYS = { from: BASE - DAY, to: BASE + 4 * DAY };

/** Group statistics (docs/statistics.md, "Group figures"): every answer equals summarizeGroupSessions. */
export function describeGroupStatsContract(name: string, open: StoreFactory, options: { runs: number }): void {
  describe(`${name}: group statistics contract`, () => {
    it('when random rooms are recorded shuffled with repeats, then summaries, series in six zones and breakdowns equal the brute force, late sc=S and sc=E included', async () => {
      const { store, cleanup } = await open();
      try {
        const random = createRandom(`${name}-group-stats`);
        const rooms = drawRooms(random, 90, BASE, 3 * DAY);
        // A room whose first events come without its sc=S: it starts 50 minutes late, in another
        // quarter-hour and hour, until its sc=S comes and moves its start back.
        const lateSid = validGroupCallEvent().sid;
        const lateStart = BASE + DAY + 7 * 60_000 + 500;
        const late = (more: Partial<GroupCallEvent>) => validGroupCallEvent({ sid: lateSid, id: 'room-a', host_id: 'host-a', ...more });
        const lateS = late({ sc: 'S', msc: 'C', user_id: 'host-a', ts: lateStart, ue_type: 'IOS', online: 1 });
        const early = [
          late({ sc: 'C', msc: 'C', user_id: 'guest-9', ts: lateStart + 50 * 60_000, online: 2 }),
          late({ sc: 'C', msc: 'D', user_id: 'guest-9', ts: lateStart + 70 * 60_000, online: 1, disconnect_reason: 1301, releaser_type: 4 }),
        ];
        await deliver(store, random, [...rooms.flat(), ...early]);
        const sids = [...rooms.map((events) => (events[0] as GroupCallEvent).sid), lateSid];
        const series: Array<[Bucket, string]> = [
          ['hour', 'UTC'], ['day', 'Asia/Kolkata'], ['day', 'Asia/Kathmandu'], ['hour', 'America/St_Johns'],
          ['day', 'Australia/Lord_Howe'], ['hour', 'Australia/Lord_Howe'], ['week', 'Pacific/Marquesas'],
        ];
        const checkAll = async (clock: GroupClock, label: string) => {
          const all = await storedSessions(store, sids, clock);
          for (const [window, windowName] of [[OFF_QUARTER, 'off the quarter'], [OFF_HOUR, 'off the hour'], [WHOLE_DAYS, 'whole days']] as const) {
            assert.equal(await checkFilter(store, all, clock, window, `${label}, ${windowName}`, series, ['media_type', 'ue_type']), 'rollups');
            assert.equal(await checkFilter(store, all, clock, { ...window, media_type: 'V' }, `${label}, ${windowName}, video`, [['day', 'Asia/Kolkata']], ['media_type']), 'rollups');
          }
          assert.equal(await checkFilter(store, all, clock, {}, `${label}, no window`), 'rollups');
          await checkFilter(store, all, clock, { ...OFF_QUARTER, media_type: 'A' }, `${label}, audio by ue_type (scanned)`, [], ['ue_type', 'room']);
          for (const filter of [{ id: 'room-a' }, { host_id: 'host-b', svc_id: 'linecorp.com' }, { user_id: 'guest-1' }, { state: 'end_missing' as const }, { stay_status: 'dropped' as const }]) {
            assert.equal(await checkFilter(store, all, clock, { ...OFF_HOUR, ...filter }, `${label}, ${JSON.stringify(filter)}`, [['day', 'Asia/Kolkata']], ['host', 'ue_type']), 'sessions');
          }
          const exact = await store.groupStatsSummary({ filter: OFF_QUARTER, clock, exact: true });
          assert.deepEqual([exact.source, exact.summary], ['sessions', summarizeGroupSessions(select(all, OFF_QUARTER))], `${label}: exact=true scans`);
        };
        // Early on, the later rooms are in progress; days later, those without sc=E are end_missing.
        await checkAll({ now: BASE + DAY + 12 * HOUR, deadlineMs: DEADLINE_MS }, 'a day and a half in');
        const later = { now: BASE + 5 * DAY, deadlineMs: DEADLINE_MS };
        await checkAll(later, 'five days in');
        const beforeLate = (await store.getGroupCall(lateSid, later))?.started_at;
        // The late sc=S moves a start back 50 minutes; a late sc=E ends a room that was end_missing.
        const open = (await storedSessions(store, sids, later)).find((s) => s.state === 'end_missing' && s.sid !== lateSid);
        assert.ok(open, 'a room without sc=E');
        const openEvents = rooms.find((events) => events[0]?.sid === open.sid) ?? [];
        const last = openEvents.at(-1) as GroupCallEvent;
        await deliver(store, random, [lateS, { ...last, sc: 'E', msc: 'D', user_id: 'host', ts: last.ts + 1_000, online: 0, disconnect_reason: 1001 }]);
        assert.equal((await store.getGroupCall(lateSid, later))?.started_at, lateStart);
        assert.notEqual(beforeLate, lateStart);
        assert.equal((await store.getGroupCall(open.sid, later))?.state, 'ended');
        await checkAll(later, 'after a late sc=S and sc=E');
      } finally {
        await cleanup();
      }
    });

    it('when a participant is erased and retention removes old rooms, then the figures follow the sessions left', async () => {
      const { store, cleanup } = await open();
      try {
        const random = createRandom(`${name}-group-stats-privacy`);
        const rooms = drawRooms(random, 30, BASE, 3 * DAY);
        await deliver(store, random, rooms.flat());
        const sids = rooms.map((events) => (events[0] as GroupCallEvent).sid);
        const now = BASE + 4 * DAY;
        const clock = { now, deadlineMs: DEADLINE_MS };
        const check = async (label: string) => {
          const all = await storedSessions(store, sids, clock);
          await checkFilter(store, all, clock, WHOLE_DAYS, label, [['day', 'UTC']], ['ue_type', 'host']);
          await checkFilter(store, all, clock, OFF_QUARTER, label, [], ['room']);
          return all.length;
        };
        assert.equal(await check('before'), 30);
        await store.eraseUser({ target: { serviceId: 'linecorp.com', userId: 'guest-1' }, actor: 'cli', now, pseudonym: 'erased-1' });
        await store.eraseUser({ target: { serviceId: 'linecorp.com', userId: 'host-a' }, actor: 'cli', now, pseudonym: 'erased-2' });
        assert.equal(await check('after erasure'), 30);
        const policy = { rawDays: null, quarantineDays: null, callsDays: 2, rollupsDays: null, truncateIpsDays: null };
        const report = await store.applyRetention({ policy, now, batchSize: 7 });
        const removed = report.removed.group_sessions ?? 0;
        assert.ok(removed > 0 && removed < 30, 'some rooms started before the cutoff, some after');
        assert.equal(await check('after retention'), 30 - removed);
      } finally {
        await cleanup();
      }
    });

    it('when rooms keep arriving between questions over random windows, buckets and zones, then every answer equals the brute force', async () => {
      const { store, cleanup } = await open();
      try {
        const sids: string[] = [];
        const clock = { now: BASE + 4 * DAY, deadlineMs: DEADLINE_MS };
        const zones = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'Pacific/Marquesas'];
        await fc.assert(
          fc.asyncProperty(
            fc.integer(),
            fc.integer({ min: -HOUR, max: 3 * DAY }),
            fc.integer({ min: 1, max: 2 * DAY }),
            fc.constantFrom<Bucket>('hour', 'day', 'week'),
            fc.constantFrom(...zones),
            fc.option(fc.constantFrom('A' as const, 'V' as const), { nil: undefined }),
            fc.constantFrom(...GROUP_BREAKDOWN_FIELDS),
            async (seed, offset, length, bucket, tz, media, by) => {
              const random = createRandom(seed);
              const rooms = drawRooms(random, 4, BASE, 3 * DAY);
              sids.push(...rooms.map((events) => (events[0] as GroupCallEvent).sid));
              await deliver(store, random, rooms.flat());
              const all = await storedSessions(store, sids, clock);
              const filter: GroupStatsFilter = { from: BASE + offset, to: BASE + offset + length, ...(media === undefined ? {} : { media_type: media }) };
              await checkFilter(store, all, clock, filter, `random window ${JSON.stringify(filter)}`, [[bucket, tz]], [by]);
            },
          ),
          { numRuns: options.runs },
        );
      } finally {
        await cleanup();
      }
    });
  });
}
