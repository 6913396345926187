import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TruthLife } from '../ground-truth.js';
import { compareLifecycleFigures } from '../verify/check-lifecycle-figures.js';
import { expectedLifecycleFigures, lifecycleWindow } from './expected-lifecycle-figures.js';

let n = 0;
/** A life whose Notify was taken (200) and whose end arrived; each test breaks what it needs. */
function life(overrides: { notify?: Partial<TruthLife['notify']>; end?: Partial<TruthLife['end']>; acs?: TruthLife['agent_call_status']; diagnosis?: TruthLife['expected_diagnosis'] } = {}): TruthLife {
  n++;
  return {
    kind: 'life',
    sid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    late: false,
    notify: { delivery: 'sent', fields: {}, sent_at: 1_800_000_000_000, answered_at: 1_800_000_000_020, status: 200, expected_relay: 'ok', ...overrides.notify },
    agent_call_status: overrides.acs ?? null,
    end: { sent: true, acknowledged: true, push_error: false, setup_time: 1_800_000_000, ...overrides.end },
    expected_diagnosis: overrides.diagnosis ?? null,
  };
}

const acs = (result: 'SUCCESS' | 'FAIL', reason: string, status: number | null = 200): TruthLife['agent_call_status'] => ({
  result_sent: result === 'SUCCESS' ? 'Success' : 'FAIL', result, fail_reason_sent: reason, sent_at: 1_800_000_000_030, answered_at: 1_800_000_000_040, status,
});

describe('expectedLifecycleFigures', () => {
  it('when Notifies are taken, refused, stalled, undeliverable or followed by no end, then each count follows from the truth', () => {
    const lives = [
      life(),
      life({ end: { sent: false, acknowledged: false } }),
      life({ notify: { status: 502, expected_relay: 'http_error' }, end: { push_error: true }, diagnosis: 'push_handler' }),
      life({ notify: { status: 504, expected_relay: 'timeout' }, end: { push_error: true }, diagnosis: 'push_handler' }),
      life({ notify: { delivery: 'undeliverable', sent_at: null, answered_at: null, status: null, expected_relay: null }, end: { push_error: true }, diagnosis: 'notify_not_received' }),
      life({ end: { push_error: true }, diagnosis: 'other' }),
      life({ notify: { delivery: 'before_window', sent_at: null, answered_at: null, status: null, expected_relay: null } }),
    ];
    const f = expectedLifecycleFigures(lives, true);
    assert.equal(f.notifies, 5);
    assert.equal(f.notifiesWithEnd, 4);
    assert.equal(f.endCoverage, 4 / 5);
    assert.equal(f.endMissing, 1);
    assert.equal(f.endsWithoutNotify, 2);
    assert.deepEqual(f.relay, { attempts: 5, ok: 3, httpError: 1, timeout: 1, unreachable: 0, successRatio: 3 / 5 });
    assert.deepEqual(f.pushFailures, { total: 4, notifyNotReceived: 1, pushHandler: 2, other: 1 });
  });

  it('when no stand-in handler ran, then the relay counts are not known (null) and a Notify answered 4xx counts as not stored', () => {
    const f = expectedLifecycleFigures([life({ notify: { expected_relay: null } }), life({ notify: { status: 400, expected_relay: null } })], false);
    assert.equal(f.relay, null);
    assert.equal(f.notifies, 1);
    assert.equal(f.endsWithoutNotify, 1);
  });

  it('when Agent Call Statuses were answered, then successes, failures and fail reasons are counted; unanswered ones are not', () => {
    const lives = [life({ acs: acs('SUCCESS', 'None') }), life({ acs: acs('FAIL', 'PUSH_ERROR') }), life({ acs: acs('FAIL', 'PUSH_ERROR') }), life({ acs: acs('FAIL', 'AUTH_ERROR') }), life({ acs: acs('FAIL', 'X', null) })];
    assert.deepEqual(expectedLifecycleFigures(lives, true).agentCallStatus, {
      success: 1, fail: 3, byFailReason: [{ failReason: 'PUSH_ERROR', count: 2 }, { failReason: 'AUTH_ERROR', count: 1 }],
    });
  });

  it('when there are no Notifies, then endCoverage and successRatio are null, not 0', () => {
    const f = expectedLifecycleFigures([], true);
    assert.equal(f.endCoverage, null);
    assert.equal(f.relay?.successRatio, null);
  });

  it('when the window is asked for, then it holds every setup_time and every send and answer second', () => {
    const lives = [life({ end: { setup_time: 1_700_000_000 } }), life({ notify: { answered_at: 1_800_000_100_500 } })];
    const w = lifecycleWindow(lives);
    assert.ok(w && w.from === 1_700_000_000 && w.to > 1_800_000_100);
  });
});

describe('compareLifecycleFigures', () => {
  const lives = [life(), life({ end: { sent: false, acknowledged: false } }), life({ acs: acs('FAIL', 'PUSH_ERROR') }), life({ acs: acs('FAIL', 'AUTH_ERROR') })];
  const expected = expectedLifecycleFigures(lives, true);
  const answer = () => ({
    notifies: 4, notifiesWithEnd: 3, endCoverage: 0.75, endMissing: 1, endsWithoutNotify: 0,
    relay: { attempts: 4, ok: 4, httpError: 0, timeout: 0, unreachable: 0, successRatio: 1, latencyMs: { p50: 1.2, p99: 3 } },
    setupToNotifyMs: { p50: 400, p99: 900 },
    pushFailures: { total: 0, notifyNotReceived: 0, pushHandler: 0, other: 0 },
    // In another order than ours: compared as a set.
    agentCallStatus: { success: 0, fail: 2, byFailReason: [{ failReason: 'AUTH_ERROR', count: 1 }, { failReason: 'PUSH_ERROR', count: 1 }] },
  });

  it('when the server answers the same figures, then there is no problem', () => {
    assert.deepEqual(compareLifecycleFigures(expected, answer()), []);
  });

  it('when a count differs or a latency is missing, then each is named', () => {
    const got = answer();
    got.endMissing = 0;
    got.agentCallStatus.byFailReason = [{ failReason: 'PUSH_ERROR', count: 2 }];
    (got as { setupToNotifyMs?: unknown }).setupToNotifyMs = undefined;
    const problems = compareLifecycleFigures(expected, got);
    assert.ok(problems.includes('endMissing: expected 1, got 0'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('agentCallStatus.byFailReason: expected')), problems.join('\n'));
    assert.ok(problems.includes('setupToNotifyMs.p50: missing (expected a number or null)'), problems.join('\n'));
  });

  it('when the relay has no attempts, then null latencies are accepted', () => {
    const got = { ...answer(), relay: { ...answer().relay, latencyMs: null } };
    assert.deepEqual(compareLifecycleFigures(expected, got), []);
  });
});
