import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGroupSession } from '../../domain/group/build-group-session.js';
import type { GroupCallEvent } from '../../domain/group-call-event.js';
import { summarizeGroupSessions } from '../../domain/group/summarize-group-sessions.js';
import { startRecordingGroupEndpoint } from '../../../test/fixtures/recording-group-endpoint.js';
import { createHttpTransport } from '../http-transport.js';
import { groupGroundTruth, groupGroundTruthLines, parseGroupGroundTruth } from './group-ground-truth.js';
import { DEFAULT_GROUP_TRAFFIC, type GroupTrafficOptions } from './group-traffic-options.js';
import { planGroupTraffic } from './plan-group-traffic.js';
import { runGroupSimulation } from './run-group-simulation.js';

const TRAFFIC: GroupTrafficOptions = { ...DEFAULT_GROUP_TRAFFIC, seed: 'group-run', epoch: 1_800_000_000, rooms: 40, room: { ...DEFAULT_GROUP_TRAFFIC.room, neverEndsShare: 0.2 }, duplicateShare: 0.2, legacyShare: 0.3, endDeadlineMs: 600_000 };
/** The clock the truth's state is computed at: after every room's last event, so unended rooms are end_missing. */
const STATE_AT = TRAFFIC.epoch * 1000 + 86_400_000;
const PATH = '/callbacks/group-call-event';

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(keyOf(item), (counts.get(keyOf(item)) ?? 0) + 1);
  return counts;
}

describe('runGroupSimulation, against a recording server on 127.0.0.1', () => {
  it('when a plan is sent, then the server receives exactly the planned requests, duplicates included, and the truth\'s sessions are those its events build', async () => {
    const endpoint = await startRecordingGroupEndpoint();
    const transport = createHttpTransport(`${endpoint.url}${PATH}`, { concurrency: 8 });
    try {
      const plan = planGroupTraffic(TRAFFIC);
      const result = await runGroupSimulation(plan, transport.send, { concurrency: 8, ratePerSec: null, retries: 0 });
      assert.deepEqual(countBy(endpoint.received, (r) => r.key), countBy(plan.deliveries, (d) => d.key));
      assert.ok(endpoint.received.every((r) => r.path === PATH));
      assert.equal(result.stats.unexpected, 0);
      assert.equal(result.stats.byResult.get('duplicate'), plan.deliveries.filter((d) => d.role === 'duplicate').length);

      const truth = parseGroupGroundTruth([...groupGroundTruthLines(groupGroundTruth(TRAFFIC, plan, result, STATE_AT))].join(''));
      const bySid = new Map<string, GroupCallEvent[]>();
      for (const { event } of endpoint.received) bySid.set(event.sid, [...(bySid.get(event.sid) ?? []), event]);
      const clock = { now: STATE_AT, deadlineMs: TRAFFIC.endDeadlineMs };
      const received = [...bySid.values()].map((events) => buildGroupSession(events, clock));
      assert.equal(truth.rooms.length, TRAFFIC.rooms);
      for (const room of truth.rooms) {
        const { stays, ...session } = received.find((s) => s?.sid === room.sid) ?? assert.fail(`no events of ${room.sid} arrived`);
        assert.deepEqual({ session: room.session, stays: room.stays }, { session, stays }, room.sid);
        assert.equal(room.unacknowledged_events, 0);
      }
      assert.deepEqual(truth.figures.figures, summarizeGroupSessions(received.flatMap((s) => (s === null ? [] : [s]))));
      assert.ok(truth.rooms.some((r) => r.session.state === 'end_missing') && truth.rooms.some((r) => r.session.state === 'ended'));
      assert.deepEqual(truth.totals.answers, { 200: plan.deliveries.length });
      assert.equal(truth.totals.requests, plan.deliveries.length);
    } finally {
      transport.close();
      await endpoint.close();
    }
  });

  it('when the server answers 503 to some first deliveries, then they are retried and every event still arrives', async () => {
    const endpoint = await startRecordingGroupEndpoint({ refuseFirst: 5 });
    const transport = createHttpTransport(`${endpoint.url}${PATH}`, { concurrency: 4 });
    try {
      const plan = planGroupTraffic({ ...TRAFFIC, rooms: 5, duplicateShare: 0 });
      const result = await runGroupSimulation(plan, transport.send, { concurrency: 4, ratePerSec: null, retries: 2 });
      assert.equal(endpoint.refused, 5);
      assert.equal(result.stats.retries, 5);
      assert.equal(endpoint.received.length, plan.deliveries.length);
      assert.ok(result.acknowledged.every(Boolean));
    } finally {
      transport.close();
      await endpoint.close();
    }
  });

  it('when the server never answers 2xx, then no event counts as acknowledged, each counts as unexpected, and the truth says how many the server may lack', async () => {
    const plan = planGroupTraffic({ ...TRAFFIC, rooms: 3, duplicateShare: 0 });
    const result = await runGroupSimulation(plan, async () => ({ status: 500, result: 'internal' }), { concurrency: 2, ratePerSec: null, retries: 0 });
    assert.equal(result.stats.unexpected, plan.deliveries.length);
    const truth = groupGroundTruth(TRAFFIC, plan, result, STATE_AT);
    assert.equal(truth.totals.unacknowledged_events, truth.totals.events);
    assert.deepEqual(truth.totals.answers, { 500: plan.deliveries.length });
  });

  it('when the run is stopped before it starts, then nothing is sent and the truth counts no request', async () => {
    const plan = planGroupTraffic({ ...TRAFFIC, rooms: 3 });
    const abort = new AbortController();
    abort.abort();
    const result = await runGroupSimulation(plan, async () => assert.fail('sent'), { concurrency: 2, ratePerSec: null, retries: 0, signal: abort.signal });
    assert.equal(result.stats.requests, 0);
    assert.equal(groupGroundTruth(TRAFFIC, plan, result, STATE_AT).totals.requests, 0);
  });
});
