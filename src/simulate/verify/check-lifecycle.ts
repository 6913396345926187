import { plural } from '../../domain/plural.js';
import type { ApiClient } from '../api-client.js';
import type { TruthLife } from '../ground-truth.js';
import { notifyStored } from '../lifecycle/life-chain.js';
import { type CheckResult, checkResult, mapConcurrently, show } from './check-result.js';
import { answerProblems, compareLife, expectedState, type LifeProblems, type StoredLife } from './compare-life.js';

/** Added to the latest end_due_at before reading again, in milliseconds: the two clocks may differ a little. */
const DUE_MARGIN_MS = 1_000;
/** The end_missing list's largest page (GET /api/lifecycle). */
const END_MISSING_PAGE = 1_000;

export interface LifecycleCheckOptions {
  concurrency: number;
  /** Longest wait for lost end events to become due (CALL_EVENT_DEADLINE after their Notify), in milliseconds. */
  maxWaitMs: number;
  /** Told when verify waits, and how long (the CLI prints it). */
  onWait?: (ms: number, count: number) => void;
  /** Unix milliseconds (Date.now by default). */
  now?: () => number;
}

/**
 * Checks every call's sequence through `GET /api/calls/:sid/lifecycle`: the answers the
 * simulator got, each Notify stored with its relay attempts, each Agent Call Status, the
 * state (ended, end_missing for a lost end event) and the push diagnosis of each
 * PUSH_ERROR call; and `GET /api/lifecycle?state=end_missing` lists every lost end and
 * no sent one. A lost end becomes end_missing only CALL_EVENT_DEADLINE after its Notify:
 * verify waits for that (read from `end_due_at`) up to `maxWaitMs`, and says so.
 */
export async function checkLifecycle(lives: readonly TruthLife[], api: ApiClient, options: LifecycleCheckOptions): Promise<CheckResult[]> {
  const now = options.now ?? Date.now;
  const stored = new Map<string, StoredLife | null>();
  const problems: string[] = [];
  const read = async (life: TruthLife) => {
    const answer = await api.get(`/api/calls/${encodeURIComponent(life.sid)}/lifecycle`);
    if (answer.status === 404) stored.set(life.sid, null);
    else if (answer.status === 200 && typeof answer.body === 'object' && answer.body !== null) stored.set(life.sid, answer.body as StoredLife);
    else problems.push(`${life.sid}: GET lifecycle answered HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`);
  };
  await mapConcurrently(lives, options.concurrency, read);
  const notDue = lives.filter((l) => expectedState(l) === 'end_missing' && stored.get(l.sid)?.lifecycle.state === 'in_progress');
  const waitNote = await waitUntilDue(notDue, stored, options, now, problems);
  if (waitNote.waited) await mapConcurrently(notDue, options.concurrency, read);

  const all: LifeProblems = { notify: [], relay: [], agentCallStatus: [], end: [...problems], diagnosis: [] };
  for (const life of lives) {
    if (!stored.has(life.sid)) continue;
    const p = compareLife(life, stored.get(life.sid) ?? null);
    for (const key of Object.keys(all) as Array<keyof LifeProblems>) all[key].push(...p[key]);
  }
  all.end.push(...(await endMissingListProblems(lives, api)));

  const notifies = lives.filter((l) => notifyStored(l.notify.status));
  const relayed = notifies.filter((l) => l.notify.expected_relay !== null).length;
  const acs = lives.filter((l) => l.agent_call_status !== null).length;
  const lost = lives.filter((l) => !l.end.sent).length;
  const pushErrors = lives.filter((l) => l.end.sent && l.end.push_error).length;
  const answers = answerProblems(lives);
  return [
    checkResult('lifecycle answers', answers, `${plural(lives.filter((l) => l.notify.sent_at !== null).length, 'Notify', 'Notifies')} and ${plural(acs, 'Agent Call Status', 'Agent Call Statuses')} answered as expected`),
    checkResult('notifies stored', all.notify, `${notifies.length - countSids(all.notify)}/${plural(notifies.length, 'Notify', 'Notifies')} stored as sent`),
    checkResult('notify relays', all.relay, relayed > 0 ? `${relayed - countSids(all.relay)}/${relayed} relay verdicts as the stand-in handler chose` : `${notifies.length - countSids(all.relay)}/${notifies.length} relay records fit the answers`),
    checkResult('agent call statuses', all.agentCallStatus, `${acs - countSids(all.agentCallStatus)}/${plural(acs, 'Agent Call Status', 'Agent Call Statuses')} stored as sent`),
    checkResult('end events and end_missing', all.end, `${lives.length - countSids(all.end)}/${plural(lives.length, 'call')} in the expected state, ${plural(lost, 'lost end event')}${waitNote.text}`),
    checkResult('push diagnosis', all.diagnosis, `${pushErrors - countSids(all.diagnosis)}/${plural(pushErrors, 'PUSH_ERROR call')} diagnosed as expected`),
  ];
}

async function waitUntilDue(
  notDue: readonly TruthLife[],
  stored: ReadonlyMap<string, StoredLife | null>,
  options: LifecycleCheckOptions,
  now: () => number,
  problems: string[],
): Promise<{ waited: boolean; text: string }> {
  if (notDue.length === 0) return { waited: false, text: '' };
  const due = Math.max(...notDue.map((l) => Date.parse(stored.get(l.sid)?.lifecycle.end_due_at ?? '') || 0));
  const waitMs = due + DUE_MARGIN_MS - now();
  if (waitMs > options.maxWaitMs) {
    problems.push(
      `${plural(notDue.length, 'lost end event')} not due yet: end_missing from ${new Date(due).toISOString()} (CALL_EVENT_DEADLINE after the Notify), ` +
        `more than the ${Math.round(options.maxWaitMs / 1000)} s verify may wait: run verify again after then, or give a longer --wait`,
    );
    return { waited: false, text: '' };
  }
  options.onWait?.(Math.max(0, waitMs), notDue.length);
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  return { waited: true, text: ` (waited ${(Math.max(0, waitMs) / 1000).toFixed(1)} s for them to become due)` };
}

/** The end_missing list holds every lost end event (when the list is not full) and no call whose end was acknowledged. */
async function endMissingListProblems(lives: readonly TruthLife[], api: ApiClient): Promise<string[]> {
  const answer = await api.get(`/api/lifecycle?state=end_missing&limit=${END_MISSING_PAGE}`);
  const items = (answer.body as { items?: Array<{ sid: string }> } | null)?.items;
  if (answer.status !== 200 || !Array.isArray(items)) return [`GET /api/lifecycle?state=end_missing answered HTTP ${answer.status} ${show(answer.body).slice(0, 200)}`];
  const listed = new Set(items.map((i) => i.sid));
  const problems: string[] = [];
  for (const life of lives) {
    const state = expectedState(life);
    if (state === 'ended' && listed.has(life.sid)) problems.push(`${life.sid}: listed as end_missing, but its end event was acknowledged`);
    if (state === 'end_missing' && !listed.has(life.sid) && items.length < END_MISSING_PAGE) problems.push(`${life.sid}: its end event was lost, but it is not listed as end_missing`);
  }
  return problems;
}

/** Problems name their sid first: how many sids have one. */
function countSids(problems: readonly string[]): number {
  return new Set(problems.map((p) => p.split(':', 1)[0])).size;
}
