import assert from 'node:assert/strict';
import type { GroupCallEvent } from '../../src/domain/group-call-event.js';
import { groupBucketBoundaries } from '../../src/domain/group/group-stats-query.js';
import { summarizeGroupSessions } from '../../src/domain/group/summarize-group-sessions.js';
import { createRandom } from '../../src/simulate/random.js';
import { BASE, deliver, drawRooms, storedSessions } from '../contract/group-stats-contract.js';
import { describeUpgradeOnBothDatabases, type UpgradeTarget } from './upgrade-on-both-databases.js';

const DAY = 86_400_000;

/**
 * A database with group sessions written before migration 16 (no group rollups): opening it
 * runs the step, which marks every quarter-hour holding a session, so that the first
 * question builds the rollups and answers them exactly.
 */
async function upgradeScenario(target: UpgradeTarget): Promise<void> {
  const random = createRandom('group-rollups-upgrade');
  const rooms = drawRooms(random, 25, BASE, 2 * DAY);
  const before = await target.openStore();
  await deliver(before, random, rooms.flat());
  await before.close();
  for (const text of ['DROP TABLE group_rollups', 'DROP TABLE group_rollups_stale', 'DROP INDEX group_sessions_open_started', 'DELETE FROM schema_migrations WHERE version = 16']) await target.run(text);
  const store = await target.openStore();
  try {
    const clock = { now: BASE + 3 * DAY, deadlineMs: 3_600_000 };
    const sessions = await storedSessions(store, rooms.map((events) => (events[0] as GroupCallEvent).sid), clock);
    assert.equal(sessions.length, 25);
    const filter = { from: BASE, to: BASE + 2 * DAY };
    const summary = await store.groupStatsSummary({ filter, clock });
    assert.deepEqual([summary.source, summary.summary], ['rollups', summarizeGroupSessions(sessions)]);
    const boundaries = groupBucketBoundaries(filter.from, filter.to, 'day', 'Asia/Kolkata') ?? [];
    const series = await store.groupStatsTimeseries({ filter, clock, boundaries });
    const expected = boundaries.slice(0, -1).map((start, i) => ({
      bucket_start: start,
      ...summarizeGroupSessions(sessions.filter((s) => s.started_at >= start * 1000 && s.started_at < (boundaries[i + 1] as number) * 1000)),
    }));
    assert.deepEqual(series.items, expected);
  } finally {
    await store.close();
  }
}

describeUpgradeOnBothDatabases('migration 16 (group rollups)', 'when group sessions were stored before the step, then the first question builds their rollups and answers exactly', upgradeScenario);
