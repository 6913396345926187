import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endedWithPushError } from '../../domain/lifecycle/push-diagnosis.js';
import type { DeliveryAnswer, Transport } from '../http-transport.js';
import { runSimulation, type RunOptions } from '../run-simulation.js';
import { DEFAULT_TRAFFIC, type TrafficOptions } from '../traffic-options.js';
import { RELAY_OUTCOME_OF, choosePushHandling } from './push-handler-choice.js';

const SHARES = { refuseShare: 0.2, stallShare: 0.1 };
const TRAFFIC: TrafficOptions = {
  ...DEFAULT_TRAFFIC, seed: 'life', epoch: 1_800_000_000, malformedShare: 0, duplicateShare: 0.1, lateShare: 0.05,
  lifecycle: { lostEndShare: 0.1, undeliverableNotifyShare: 0.1, agentCallStatusShare: 0.3, endAfterMs: 1, pushHandler: SHARES },
};
const RUN: RunOptions = { concurrency: 8, ratePerSec: null, maxItems: 300, durationMs: null, retries: 0, collectTruth: true };

/** Records every request by callback, answering as callevt with a relay to the stand-in handler would. */
function receiver() {
  const log: Array<{ callback: string; sid: string; query: URLSearchParams }> = [];
  const make = (callback: string, status: (sid: string) => number): Transport => async (query) => {
    await new Promise((r) => setImmediate(r));
    const params = new URLSearchParams(query);
    const sid = params.get('sid') ?? '';
    log.push({ callback, sid, query: params });
    const answer: DeliveryAnswer = { status: status(sid), result: 'accepted' };
    return answer;
  };
  const notifyStatus = (sid: string) => ({ take: 200, refuse: 502, stall: 504 })[choosePushHandling('life', sid, SHARES)];
  return {
    log,
    send: make('call-event', () => 200),
    lifecycleSend: { notify: make('notify', notifyStatus), agentCallStatus: make('agent-call-status', () => 200) },
  };
}

describe('runSimulation with the whole call sequence', () => {
  it('when calls are simulated with their lifecycle, then each sid goes Notify, then Agent Call Status, then end event, and the truth says what was sent', async () => {
    const r = receiver();
    const { truth, stats } = await runSimulation(TRAFFIC, r.send, { ...RUN, lifecycleSend: r.lifecycleSend });
    assert.ok(truth);
    assert.equal(stats.unexpected, 0);
    assert.equal(truth.lives.length, 300);
    const order = new Map<string, string[]>();
    for (const entry of r.log) order.set(entry.sid, [...(order.get(entry.sid) ?? []), entry.callback]);
    for (const life of truth.lives) {
      const sent = (order.get(life.sid) ?? []).filter((c, i, all) => all.indexOf(c) === i);
      const expected = [
        ...(life.notify.sent_at === null ? [] : ['notify']),
        ...(life.agent_call_status === null ? [] : ['agent-call-status']),
        ...(life.end.sent ? ['call-event'] : []),
      ];
      assert.deepEqual(sent, expected, life.sid);
      if (life.notify.delivery === 'sent') assert.equal(life.notify.status, { ok: 200, http_error: 502, timeout: 504 }[life.notify.expected_relay ?? 'ok']);
    }
    const t = truth.totals.lifecycle;
    assert.ok(t && t.ends_lost > 10 && t.notifies_undeliverable > 10 && t.agent_call_statuses_sent > 50, JSON.stringify(t));
    assert.equal(truth.calls.length, truth.lives.filter((l) => l.end.sent).length);
    // The end event keeps its planned re-deliveries, after its Notify like everything else.
    assert.ok(truth.totals.duplicates_sent >= 10, JSON.stringify(truth.totals));
  });

  it('when a Notify is refused, stalled or undeliverable, then the call ends with PUSH_ERROR and the truth expects the matching diagnosis', async () => {
    const r = receiver();
    const { truth } = await runSimulation(TRAFFIC, r.send, { ...RUN, lifecycleSend: r.lifecycleSend });
    assert.ok(truth);
    const calls = new Map(truth.calls.map((c) => [c.sid, c]));
    const seen = { notify_not_received: 0, push_handler: 0 };
    for (const life of truth.lives.filter((l) => l.end.sent)) {
      const call = calls.get(life.sid);
      assert.ok(call);
      const failedNotify = life.notify.delivery === 'undeliverable' || (life.notify.expected_relay !== null && life.notify.expected_relay !== 'ok');
      if (failedNotify) {
        assert.ok(endedWithPushError(call.fields), life.sid);
        assert.equal(call.fields.start_time, 0);
        assert.equal(life.expected_diagnosis, life.notify.delivery === 'undeliverable' ? 'notify_not_received' : 'push_handler');
        seen[life.expected_diagnosis as keyof typeof seen]++;
      }
      if (!endedWithPushError(call.fields)) assert.equal(life.expected_diagnosis, null);
      if (!life.late) assert.ok(Math.abs(call.fields.setup_time * 1000 - (life.notify.sent_at ?? Date.now())) < 5_000, 'set up when the Notify went out');
    }
    assert.ok(seen.notify_not_received > 5 && seen.push_handler > 5, JSON.stringify(seen));
    assert.equal(RELAY_OUTCOME_OF.stall, 'timeout');
  });

  it('when an Agent Call Status is sent, then FAIL goes with a failed call and its reason, SUCCESS (sometimes `Success`) with fail_reason None', async () => {
    const r = receiver();
    const { truth } = await runSimulation(TRAFFIC, r.send, { ...RUN, lifecycleSend: r.lifecycleSend });
    const acs = (truth?.lives ?? []).flatMap((l) => (l.agent_call_status === null ? [] : [l.agent_call_status]));
    assert.ok(acs.some((a) => a.result_sent === 'Success') && acs.some((a) => a.result_sent === 'SUCCESS') && acs.some((a) => a.result === 'FAIL'));
    for (const a of acs) assert.equal(a.fail_reason_sent === 'None', a.result === 'SUCCESS');
  });

  it('when the lifecycle is off, then the calls planned are the same as before it existed', async () => {
    const plain = await runSimulation({ ...TRAFFIC, lifecycle: null }, receiver().send, { ...RUN, concurrency: 1 });
    const r = receiver();
    const life = await runSimulation(TRAFFIC, r.send, { ...RUN, concurrency: 1, lifecycleSend: r.lifecycleSend });
    assert.deepEqual(life.truth?.lives.map((l) => l.sid), plain.truth?.calls.map((c) => c.sid));
    assert.equal(plain.truth?.lives.length, 0);
    assert.equal(plain.truth?.totals.lifecycle, undefined);
  });
});
