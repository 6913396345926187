import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRecordingGroupEndpoint } from '../../../test/fixtures/recording-group-endpoint.js';
import { createHttpApiClient } from '../api-client.js';
import { groupGroundTruth, type GroupTruthRoom } from '../group/group-ground-truth.js';
import { DEFAULT_GROUP_TRAFFIC, type GroupTrafficOptions } from '../group/group-traffic-options.js';
import { planGroupTraffic } from '../group/plan-group-traffic.js';
import { runGroupSimulation } from '../group/run-group-simulation.js';
import { createHttpTransport } from '../http-transport.js';
import { compareRoom } from './check-group-sessions.js';
import { verifyGroupTruth } from './verify-group-truth.js';

const DEADLINE_MS = 600_000;
const TRAFFIC: GroupTrafficOptions = {
  ...DEFAULT_GROUP_TRAFFIC, seed: 'group-verify', epoch: Math.floor(Date.now() / 1000), rooms: 20,
  room: { ...DEFAULT_GROUP_TRAFFIC.room, neverEndsShare: 0.3 }, duplicateShare: 0.2, endDeadlineMs: DEADLINE_MS,
};

/** Sends a run to a fresh recording endpoint; returns the endpoint, the truth and an API client on it. */
async function sentRun(endpointOptions: { sessionDeadlineMs?: number }) {
  const endpoint = await startRecordingGroupEndpoint(endpointOptions);
  const transport = createHttpTransport(`${endpoint.url}/callbacks/group-call-event`, { concurrency: 4 });
  const plan = planGroupTraffic(TRAFFIC);
  const result = await runGroupSimulation(plan, transport.send, { concurrency: 4, ratePerSec: null, retries: 0 });
  transport.close();
  const api = createHttpApiClient(endpoint.url);
  return { endpoint, api, truth: groupGroundTruth(TRAFFIC, plan, result, Date.now()) };
}

describe('verify --group (against GET /api/group-calls/:sid, served by a recording stand-in)', () => {
  it('when the server built every room from what it received, then every check passes', async () => {
    const { endpoint, api, truth } = await sentRun({ sessionDeadlineMs: DEADLINE_MS });
    try {
      const report = await verifyGroupTruth(truth, api, { strict: true });
      assert.ok(report.ok, JSON.stringify(report.checks));
      assert.match(report.checks[1]?.summary ?? '', /^20\/20 rooms match/);
      assert.equal(report.checks[2]?.status, 'pass', JSON.stringify(report.checks[2]));
      assert.match(report.checks[2]?.summary ?? '', /^(\d+)\/\1 figures match over .*\(20 sessions, \d+ stays\)$/);
    } finally {
      await api.close();
      await endpoint.close();
    }
  });

  it('when the truth says otherwise than the server for one stay, then the check fails naming the room, the stay and the key', async () => {
    const { endpoint, api, truth } = await sentRun({ sessionDeadlineMs: DEADLINE_MS });
    try {
      const room = truth.rooms[3]!;
      const stored = room.stays[0]!.status;
      room.stays[0] = { ...room.stays[0]!, status: stored === 'dropped' ? 'completed' : 'dropped' };
      const report = await verifyGroupTruth(truth, api);
      assert.equal(report.ok, false);
      assert.deepEqual(report.checks[1]?.problems, [`${room.sid}: stay 0 (${room.stays[0]!.user_id}) status expected "${room.stays[0]!.status}", stored "${stored}"`]);
    } finally {
      await api.close();
      await endpoint.close();
    }
  });

  it('when the server has no GET /api/group-calls/:sid, then the check is skipped, and fails with --strict', async () => {
    const { endpoint, api, truth } = await sentRun({});
    try {
      const report = await verifyGroupTruth(truth, api);
      assert.equal(report.checks[1]?.status, 'skip');
      assert.ok(report.ok);
      assert.equal((await verifyGroupTruth(truth, api, { strict: true })).ok, false);
    } finally {
      await api.close();
      await endpoint.close();
    }
  });
});

describe('compareRoom', () => {
  const unended = (due: number): GroupTruthRoom => ({
    kind: 'room', sid: 'a'.repeat(32), stays: [], events: 1, deliveries_sent: 1, duplicates_sent: 0, legacy_sent: 0, unacknowledged_events: 0,
    session: { end_due_at: due, ended_at: null, state: 'in_progress' } as unknown as GroupTruthRoom['session'],
  });

  it('when a room has not ended, then its state is judged at now from end_due_at, either state within 10 s of it', () => {
    const stored = (state: string) => ({ end_due_at: 100_000, ended_at: null, state });
    assert.deepEqual(compareRoom(unended(100_000), stored('in_progress'), [], 50_000), []);
    assert.deepEqual(compareRoom(unended(100_000), stored('end_missing'), [], 150_000), []);
    assert.deepEqual(compareRoom(unended(100_000), stored('end_missing'), [], 95_000), []);
    assert.deepEqual(compareRoom(unended(100_000), stored('in_progress'), [], 150_000), [`${'a'.repeat(32)}: state expected end_missing, stored "in_progress"`]);
  });
});
