import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRecordingGroupEndpoint } from '../../../test/fixtures/recording-group-endpoint.js';
import { summarizeGroupSessions } from '../../domain/group/summarize-group-sessions.js';
import { createHttpApiClient } from '../api-client.js';
import { groupGroundTruth, type GroupTruthRoom } from '../group/group-ground-truth.js';
import { DEFAULT_GROUP_TRAFFIC, type GroupTrafficOptions } from '../group/group-traffic-options.js';
import { planGroupTraffic } from '../group/plan-group-traffic.js';
import { runGroupSimulation } from '../group/run-group-simulation.js';
import { createHttpTransport } from '../http-transport.js';
import { checkGroupFigures, compareGroupFigures, expectedGroupFigures, uncertainEndMissing } from './check-group-figures.js';

const DEADLINE_MS = 600_000;
const TRAFFIC: GroupTrafficOptions = {
  ...DEFAULT_GROUP_TRAFFIC, seed: 'group-figures', epoch: Math.floor(Date.now() / 1000), rooms: 16,
  room: { ...DEFAULT_GROUP_TRAFFIC.room, neverEndsShare: 0.25 }, duplicateShare: 0.2, endDeadlineMs: DEADLINE_MS,
};

/** A run sent to a stand-in that serves GET /api/stats/group from what it received. */
async function sentRun() {
  const endpoint = await startRecordingGroupEndpoint({ sessionDeadlineMs: DEADLINE_MS });
  const transport = createHttpTransport(`${endpoint.url}/callbacks/group-call-event`, { concurrency: 4 });
  const plan = planGroupTraffic(TRAFFIC);
  const result = await runGroupSimulation(plan, transport.send, { concurrency: 4, ratePerSec: null, retries: 0 });
  transport.close();
  const api = createHttpApiClient(endpoint.url);
  return { api, truth: groupGroundTruth(TRAFFIC, plan, result, Date.now()), close: async () => { await api.close(); await endpoint.close(); } };
}

describe('checkGroupFigures (verify --group against GET /api/stats/group)', () => {
  it('when the server holds the run alone and the truth says otherwise for one stay, then the figures it changes are named', async () => {
    const run = await sentRun();
    try {
      const room = run.truth.rooms.find((r) => r.stays.some((s) => s.status === 'completed'))!;
      const i = room.stays.findIndex((s) => s.status === 'completed');
      room.stays[i] = { ...room.stays[i]!, status: 'dropped' };
      const result = await checkGroupFigures(run.truth, run.api, { exclusive: false, now: Date.now });
      assert.equal(result.status, 'fail');
      assert.ok(result.problems.some((p) => p.startsWith('completed: expected ')), result.problems.join('\n'));
      assert.ok(result.problems.some((p) => p.startsWith('dropped: expected ')), result.problems.join('\n'));
      assert.ok(result.problems.some((p) => p.startsWith('drop_rate: expected ')), result.problems.join('\n'));
    } finally {
      await run.close();
    }
  });

  it('when the window holds a room the truth lacks, then the check is skipped, and fails with --exclusive naming sessions', async () => {
    const run = await sentRun();
    try {
      run.truth.rooms.pop();
      const open = await checkGroupFigures(run.truth, run.api, { exclusive: false, now: Date.now });
      assert.equal(open.status, 'skip');
      assert.match(open.summary, /holds 16 sessions, the run sent 15 rooms/);
      const owned = await checkGroupFigures(run.truth, run.api, { exclusive: true, now: Date.now });
      assert.equal(owned.status, 'fail');
      assert.ok(owned.problems.includes('sessions: expected 15, got 16'), owned.problems.join('\n'));
    } finally {
      await run.close();
    }
  });
});

describe('compareGroupFigures', () => {
  const room = (due: number | null, stays: GroupTruthRoom['stays'] = []): GroupTruthRoom => ({
    kind: 'room', sid: 'a'.repeat(32), stays, events: 1, deliveries_sent: 1, duplicates_sent: 0, legacy_sent: 0, unacknowledged_events: 0,
    session: { end_due_at: due, ended_at: due === null ? 2_000 : null, duration_ms: due === null ? 1_000 : null, started_at: 1_000, participants: 0, peak_online: 0 } as unknown as GroupTruthRoom['session'],
  });

  it('when unended rooms are past, before and on the edge of their deadline, then end_missing counts the past ones and may count the edge ones', () => {
    const rooms = [room(100_000), room(200_000), room(145_000), room(null)];
    const now = 150_000;
    const expected = expectedGroupFigures(rooms, now);
    assert.equal(expected.sessions_end_missing, 1);
    assert.equal(expected.sessions_ended, 1);
    assert.equal(uncertainEndMissing(rooms, now), 1);
    assert.deepEqual(compareGroupFigures(expected, { ...expected, sessions_end_missing: 2 }, 1), []);
    assert.deepEqual(compareGroupFigures(expected, { ...expected, sessions_end_missing: 3 }, 1), ['sessions_end_missing: expected 1, got 3']);
    assert.deepEqual(compareGroupFigures(expected, { ...expected, sessions_end_missing: 0 }, 1), ['sessions_end_missing: expected 1, got 0']);
  });

  it('when a ratio differs past 1e-9 or a reason list differs, then each is named; equal answers give none', () => {
    const expected = summarizeGroupSessions([]);
    const base = { ...expected, drop_rate: 0.25, drops_by_reason: [{ reason: 'NETWORK_ERROR', count: 1 }] };
    assert.deepEqual(compareGroupFigures(base, { ...base }), []);
    assert.deepEqual(compareGroupFigures(base, { ...base, drop_rate: 0.25 + 1e-12 }), []);
    assert.deepEqual(compareGroupFigures(base, { ...base, drop_rate: 0.26, drops_by_reason: [] }), [
      'drop_rate: expected 0.25, got 0.26',
      'drops_by_reason: expected [{"reason":"NETWORK_ERROR","count":1}], got []',
    ]);
  });
});
