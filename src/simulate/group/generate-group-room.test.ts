import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGroupSession } from '../../domain/group/build-group-session.js';
import { parseGroupCallEvent } from '../../domain/parse-group-call-event.js';
import { STAY_STATUSES } from '../../domain/group/stay-status.js';
import { shufflePairs } from '../callback-query.js';
import { createRandom } from '../random.js';
import { DEFAULT_GROUP_ROOM_OPTIONS, type GeneratedGroupRoom, generateGroupRoom } from './generate-group-room.js';
import { groupEventValues } from './group-event-values.js';

const OPTIONS = { ...DEFAULT_GROUP_ROOM_OPTIONS, startMs: 1_700_000_000_000, neverEndsShare: 0.1 };
const ROOMS = 300;

function rooms(seed: string): GeneratedGroupRoom[] {
  const random = createRandom(seed);
  return Array.from({ length: ROOMS }, () => generateGroupRoom(random, OPTIONS));
}

describe('generateGroupRoom', () => {
  it('when the seed is the same, then the rooms are the same; another seed gives others', () => {
    assert.deepEqual(rooms('7').slice(0, 5), rooms('7').slice(0, 5));
    assert.notEqual(rooms('7')[0]?.sid, rooms('8')[0]?.sid);
  });

  it('when a room is delivered shuffled and partly twice, then the session built from it has exactly the planned stays and state, and no flag', () => {
    const random = createRandom('deliveries');
    for (const room of rooms('42')) {
      const repeats = room.events.filter(() => random.chance(0.2)).map((e) => structuredClone(e));
      const delivered = shufflePairs(random, [...room.events, ...repeats]);
      const lastTs = room.events.at(-1)?.ts ?? 0;
      const session = buildGroupSession(delivered, { now: lastTs + 1, deadlineMs: 60_000 });
      assert.ok(session !== null);
      assert.deepEqual(session.stays.map((s) => `${s.user_id}:${s.status}`).sort(), room.stays, room.sid);
      assert.equal(session.state, room.ended ? 'ended' : 'in_progress');
      assert.deepEqual(session.flags, []);
      assert.deepEqual([session.peak_online, session.peak_stays, session.final_online], [room.peakOnline, room.peakOnline, room.ended ? 0 : 1]);
      assert.ok(session.stays.every((s) => s.flags.length === 0), room.sid);
    }
  });

  it(`when ${ROOMS} rooms are drawn, then every stay status occurs, some rooms never end and some participants switch media`, () => {
    const drawn = rooms('coverage');
    const statuses = new Set(drawn.flatMap((room) => room.stays.map((s) => s.split(':')[1])));
    assert.deepEqual([...statuses].sort(), [...STAY_STATUSES].sort());
    assert.ok(drawn.some((room) => !room.ended));
    assert.ok(drawn.some((room) => room.events.some((e) => e.msc === 'M')));
    assert.ok(drawn.some((room) => room.events.some((e) => e.msc === 'T')));
  });

  it('when a room is drawn, then its events are in time order, start with sc=S, and end with sc=E only when it ended', () => {
    for (const room of rooms('order')) {
      assert.ok(room.events.every((e, i, all) => i === 0 || e.ts > (all[i - 1]?.ts ?? 0)));
      assert.equal(room.events[0]?.sc, 'S');
      assert.equal(room.events.at(-1)?.sc === 'E', room.ended);
      assert.ok(room.events.slice(1, -1).every((e) => e.sc === 'C'));
    }
  });

  it('when a drawn event is sent in the current or the 2020 shape, then the parser gives it back unchanged', () => {
    for (const room of rooms('shapes').slice(0, 50)) {
      for (const event of room.events) {
        for (const values of [groupEventValues(event, 'current'), groupEventValues(event, 'legacy', 456)]) {
          const parsed = parseGroupCallEvent(new Map(Object.entries(values)));
          if (!parsed.ok) assert.fail(JSON.stringify(parsed.problems));
          assert.deepEqual(parsed.value, event);
        }
      }
    }
  });
});
