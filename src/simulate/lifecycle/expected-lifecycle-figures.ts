import type { TruthLife } from '../ground-truth.js';
import { notifyStored } from './life-chain.js';

/**
 * The figures of `GET /api/stats/lifecycle` that the ground truth fixes exactly (counts
 * and ratios); latencies are callevt's own measurements and are only required to be
 * present. Notify-anchored figures count by the Notify's received_at, calls by
 * setup_time, Agent Call Statuses by received_at: over a window holding the whole run,
 * that is every one of them.
 */
export interface ExpectedLifecycleFigures {
  notifies: number;
  notifiesWithEnd: number;
  endCoverage: number | null;
  endMissing: number;
  endsWithoutNotify: number;
  /** Known only when the stand-in push handler ran (null otherwise: not judged). */
  relay: { attempts: number; ok: number; httpError: number; timeout: number; unreachable: number; successRatio: number | null } | null;
  pushFailures: { total: number; notifyNotReceived: number; pushHandler: number; other: number };
  agentCallStatus: { success: number; fail: number; byFailReason: Array<{ failReason: string; count: number }> };
}

/**
 * The lifecycle figures callevt must show for a run, computed from its truth alone
 * (independently of callevt's statistics code). `relayKnown`: the stand-in push handler
 * ran, so every relay outcome is known.
 *
 * @example expectedLifecycleFigures(truth.lives, truth.meta.lifecycle?.push_handler ?? false).endMissing
 */
export function expectedLifecycleFigures(lives: readonly TruthLife[], relayKnown: boolean): ExpectedLifecycleFigures {
  let notifies = 0;
  let notifiesWithEnd = 0;
  let endsWithoutNotify = 0;
  const relay = { attempts: 0, ok: 0, httpError: 0, timeout: 0, unreachable: 0 };
  const push = { total: 0, notifyNotReceived: 0, pushHandler: 0, other: 0 };
  const acs = { success: 0, fail: 0 };
  const reasons = new Map<string, number>();
  for (const life of lives) {
    const stored = notifyStored(life.notify.status);
    const ended = life.end.sent && life.end.acknowledged;
    if (stored) {
      notifies++;
      if (ended) notifiesWithEnd++;
      const outcome = life.notify.expected_relay;
      if (outcome !== null) {
        relay.attempts++;
        if (outcome === 'ok') relay.ok++;
        else if (outcome === 'http_error') relay.httpError++;
        else relay.timeout++;
      }
    } else if (ended) endsWithoutNotify++;
    if (ended && life.end.push_error) {
      push.total++;
      if (life.expected_diagnosis === 'notify_not_received') push.notifyNotReceived++;
      else if (life.expected_diagnosis === 'push_handler') push.pushHandler++;
      else if (life.expected_diagnosis === 'other') push.other++;
    }
    const a = life.agent_call_status;
    if (a !== null && a.status !== null && a.status >= 200 && a.status < 300) {
      if (a.result === 'SUCCESS') acs.success++;
      else {
        acs.fail++;
        reasons.set(a.fail_reason_sent, (reasons.get(a.fail_reason_sent) ?? 0) + 1);
      }
    }
  }
  return {
    notifies,
    notifiesWithEnd,
    endCoverage: notifies === 0 ? null : notifiesWithEnd / notifies,
    endMissing: notifies - notifiesWithEnd,
    endsWithoutNotify,
    relay: relayKnown ? { ...relay, successRatio: relay.attempts === 0 ? null : relay.ok / relay.attempts } : null,
    pushFailures: push,
    agentCallStatus: { ...acs, byFailReason: sortedReasons(reasons) },
  };
}

/** Fail reasons by count, most frequent first, then by name (an order both sides can produce). */
export function sortedReasons(reasons: ReadonlyMap<string, number>): Array<{ failReason: string; count: number }> {
  return [...reasons].map(([failReason, count]) => ({ failReason, count })).sort((a, b) => b.count - a.count || (a.failReason < b.failReason ? -1 : 1));
}

/**
 * The [from, to) window, in Unix seconds, that holds every fact of the run: each call's
 * setup_time and each Notify and Agent Call Status from sending to answer.
 */
export function lifecycleWindow(lives: readonly TruthLife[]): { from: number; to: number } | null {
  let from = Infinity;
  let to = -Infinity;
  const add = (sec: number) => {
    from = Math.min(from, sec);
    to = Math.max(to, sec + 1);
  };
  for (const life of lives) {
    add(life.end.setup_time);
    for (const ms of [life.notify.sent_at, life.notify.answered_at, life.agent_call_status?.sent_at, life.agent_call_status?.answered_at]) {
      if (typeof ms === 'number' && ms > 0) add(Math.floor(ms / 1000));
    }
  }
  return from === Infinity ? null : { from, to: to + 1 };
}
