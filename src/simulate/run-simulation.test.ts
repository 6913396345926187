import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeliveryAnswer, Transport } from './http-transport.js';
import { runSimulation, type RunOptions } from './run-simulation.js';
import { DEFAULT_TRAFFIC, type TrafficOptions } from './traffic-options.js';

const TRAFFIC: TrafficOptions = { ...DEFAULT_TRAFFIC, seed: 'sched', epoch: 1_800_000_000, duplicateShare: 0.3, conflictShare: 0.2, malformedShare: 0.05 };
const RUN: RunOptions = { concurrency: 8, ratePerSec: null, maxItems: 200, durationMs: null, retries: 2, collectTruth: true };

/**
 * A stand-in for callevt's callback endpoint (no storage involved): it remembers which
 * sids it acknowledged, answers like callevt, and lets a test refuse chosen sids.
 */
function fakeReceiver(answerFor: (sid: string, attempt: number) => number = () => 200) {
  const log: Array<{ sid: string; status: number; firstAcked: boolean }> = [];
  const acked = new Set<string>();
  const attempts = new Map<string, number>();
  const send: Transport = async (query) => {
    await new Promise((r) => setImmediate(r)); // answer later, as a server would
    const sid = new URLSearchParams(query).get('sid') ?? '';
    const valid = /^[0-9a-f-]{36}$/.test(sid) && query.includes('type=') && !query.includes('%E0%A4%A');
    const attempt = (attempts.get(query) ?? 0) + 1;
    attempts.set(query, attempt);
    const status = valid ? answerFor(sid, attempt) : 400;
    log.push({ sid, status, firstAcked: acked.has(sid) });
    if (status === 200) acked.add(sid);
    const answer: DeliveryAnswer = { status, result: status === 200 ? 'accepted' : 'x' };
    return answer;
  };
  return { send, log };
}

describe('runSimulation', () => {
  it('when N items are asked for, then N are planned and each re-delivery follows an acknowledged original', async () => {
    const receiver = fakeReceiver();
    const { truth, stats } = await runSimulation(TRAFFIC, receiver.send, RUN);
    assert.ok(truth);
    assert.equal(truth.calls.length + truth.malformed.length, 200);
    assert.equal(stats.requests, receiver.log.length);
    assert.ok(truth.totals.duplicates_sent + truth.totals.conflicts_sent > 40);
    const seen = new Set<string>();
    for (const entry of receiver.log) {
      if (seen.has(entry.sid)) assert.ok(entry.firstAcked, `re-delivery of ${entry.sid} before its original was acknowledged`);
      seen.add(entry.sid);
    }
  });

  it('when an original is answered 503 once, then it is retried and counts as acknowledged', async () => {
    const receiver = fakeReceiver((_sid, attempt) => (attempt === 1 ? 503 : 200));
    const { truth, stats } = await runSimulation(TRAFFIC, receiver.send, { ...RUN, maxItems: 20 });
    assert.ok(truth);
    assert.ok(truth.calls.every((c) => c.acknowledged));
    assert.ok(stats.retries >= truth.calls.length);
    assert.equal(stats.unexpected, 0);
  });

  it('when an original is never answered 2xx, then no re-delivery is sent and the truth says so', async () => {
    const receiver = fakeReceiver(() => 500);
    const { truth, stats } = await runSimulation(TRAFFIC, receiver.send, { ...RUN, maxItems: 30, retries: 0 });
    assert.ok(truth);
    assert.equal(truth.totals.unacknowledged, truth.calls.length);
    assert.equal(truth.totals.duplicates_sent + truth.totals.conflicts_sent, 0);
    assert.equal(receiver.log.length, 30);
    assert.equal(stats.unexpected, truth.calls.length);
  });

  it('when 2xx answers carry no callevt result (another server answered), then they count as not callevt and nothing as acknowledged', async () => {
    const send: Transport = async () => ({ status: 200, result: null });
    const { stats, truth } = await runSimulation({ ...TRAFFIC, malformedShare: 0 }, send, { ...RUN, maxItems: 10, retries: 0 });
    assert.equal(stats.notCallevt, stats.requests);
    assert.equal(truth?.totals.unacknowledged, truth?.calls.length);
    assert.equal(stats.unexpected, truth?.calls.length);
  });

  it('when the transport throws, then the request counts as unanswered with its cause, not as a crash', async () => {
    const send: Transport = async () => {
      throw new Error('connection refused');
    };
    const { stats, truth } = await runSimulation(TRAFFIC, send, { ...RUN, maxItems: 5, retries: 0 });
    assert.equal(stats.byClass.error, 5);
    assert.equal(stats.firstError, 'connection refused');
    assert.equal(truth?.totals.unacknowledged, truth?.calls.length);
  });
});
