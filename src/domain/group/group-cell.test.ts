import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createRandom } from '../../simulate/random.js';
import { DEFAULT_GROUP_ROOM_OPTIONS, generateGroupRoom } from '../../simulate/group/generate-group-room.js';
import { buildGroupSession } from './build-group-session.js';
import { addSessionToCell, emptyGroupCell, exactPercentiles, finishGroupCell, type GroupCell, mergeGroupCell } from './group-cell.js';
import type { GroupSession } from './group-session.js';
import { sessionValues } from './group-stats-query.js';
import { summarizeGroupSessions } from './summarize-group-sessions.js';

const T0 = 1_700_000_000_000;

/** Random rooms rebuilt into sessions, read at a time that makes some end_missing and some in progress. */
function sessionsOf(seed: number, rooms: number): GroupSession[] {
  const random = createRandom(seed);
  const clock = { now: T0 + 3 * 3_600_000, deadlineMs: 3_600_000 };
  return Array.from({ length: rooms }, () => {
    const room = generateGroupRoom(random, { ...DEFAULT_GROUP_ROOM_OPTIONS, startMs: T0, neverEndsShare: 0.3, maxParticipants: 5 });
    const session = buildGroupSession(room.events, clock);
    assert.ok(session !== null);
    return session;
  });
}

function cellOf(sessions: readonly GroupSession[]): GroupCell {
  const cell = emptyGroupCell();
  for (const session of sessions) addSessionToCell(cell, session);
  return cell;
}

describe('group cells: the mergeable form of the group figures', () => {
  it('when the cells of two session lists are merged, then their figures are summarizeGroupSessions of the union', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (seed, first, second) => {
        const sessions = sessionsOf(seed, first + second);
        const merged = cellOf(sessions.slice(0, first));
        mergeGroupCell(merged, cellOf(sessions.slice(first)));
        assert.deepEqual(finishGroupCell(merged), summarizeGroupSessions(sessions));
      }),
      { numRuns: 60 },
    );
  });

  it('when a session list is split by the stays\' ue_type, then each value\'s cell is the summary of those sessions with those stays', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const sessions = sessionsOf(seed, 10);
        const cells = new Map<string, GroupCell>();
        for (const session of sessions) {
          for (const [ue, part] of sessionValues(session, 'ue_type')) {
            let cell = cells.get(ue);
            if (cell === undefined) cells.set(ue, (cell = emptyGroupCell()));
            addSessionToCell(cell, part);
          }
        }
        for (const [ue, cell] of cells) {
          const expected = sessions.filter((s) => s.stays.some((t) => t.ue_type === ue)).map((s) => ({ ...s, stays: s.stays.filter((t) => t.ue_type === ue) }));
          assert.deepEqual(finishGroupCell(cell), summarizeGroupSessions(expected), ue);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('when counts per value are 3×10 s, 1×700 s and 1×7,000 s, then the nearest-rank percentiles are the exact values', () => {
    assert.deepEqual(exactPercentiles(new Map([[7_000, 1], [10, 3], [700, 1]]), [0.5, 0.8, 0.9, 1]), [10, 700, 7_000, 7_000]);
    assert.deepEqual(exactPercentiles(new Map(), [0.5]), [null]);
  });
});
