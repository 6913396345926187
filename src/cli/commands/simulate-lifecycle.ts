import type { Command } from 'commander';
import { plural } from '../../domain/plural.js';
import type { TruthTotals } from '../../simulate/ground-truth.js';
import {
  DEFAULT_LIFECYCLE, DEFAULT_PUSH_HANDLER, type LifecycleOptions, MAX_END_AFTER_MS,
} from '../../simulate/lifecycle/lifecycle-options.js';
import { choosePushHandling } from '../../simulate/lifecycle/push-handler-choice.js';
import { type PushHandler, startPushHandler } from '../../simulate/lifecycle/push-handler-server.js';
import { parseDurationMs, parseDurationMsOrZero, parseShare, parseWholeNumber } from '../../simulate/parse-cli-values.js';

/** How long the stand-in push handler stalls by default: past callevt's default NOTIFY_RELAY_TIMEOUT (3 s). */
const DEFAULT_PUSH_STALL = '5s';

/** The lifecycle options as commander gives them (no defaults there: giving one without --lifecycle is an error). */
export interface LifecycleCliOptions {
  lifecycle?: boolean;
  lostEndShare?: string;
  undeliverableNotifyShare?: string;
  agentCallStatusShare?: string;
  endAfter?: string;
  pushHandler?: string;
  pushRefuseShare?: string;
  pushStallShare?: string;
  pushStall?: string;
}

const LIFECYCLE_ONLY = [
  ['lostEndShare', '--lost-end-share'], ['undeliverableNotifyShare', '--undeliverable-notify-share'],
  ['agentCallStatusShare', '--agent-call-status-share'], ['endAfter', '--end-after'], ['pushHandler', '--push-handler'],
  ['pushRefuseShare', '--push-refuse-share'], ['pushStallShare', '--push-stall-share'], ['pushStall', '--push-stall'],
] as const;

/** Adds the options of the whole call sequence to `callevt simulate`. */
export function addLifecycleOptions(command: Command): Command {
  const d = DEFAULT_LIFECYCLE;
  const p = DEFAULT_PUSH_HANDLER;
  return command
    .option('--lifecycle', 'send the whole sequence per call: Notify at setup, an Agent Call Status for a share, then the Call Event')
    .option('--lost-end-share <x>', `(--lifecycle) share of calls whose end event is never sent (default ${d.lostEndShare})`)
    .option('--undeliverable-notify-share <x>', `(--lifecycle) share of Notifies LINE Planet could not deliver: not sent, the call ends with 1302 PUSH_ERROR (default ${d.undeliverableNotifyShare})`)
    .option('--agent-call-status-share <x>', `(--lifecycle) share of server-placed calls reported by an Agent Call Status (default ${d.agentCallStatusShare})`)
    .option('--end-after <time>', `(--lifecycle) wait between a call's Notify answer and its end event (default ${d.endAfterMs / 1000}s)`)
    .option('--push-handler <port>', '(--lifecycle) run a stand-in push handler on 127.0.0.1:<port>; start callevt with NOTIFY_RELAY_URL=http://127.0.0.1:<port>/notify')
    .option('--push-refuse-share <x>', `(--push-handler) share of Notifies the handler refuses with 500 (default ${p.refuseShare})`)
    .option('--push-stall-share <x>', `(--push-handler) share of Notifies the handler stalls past callevt's NOTIFY_RELAY_TIMEOUT (default ${p.stallShare})`)
    .option('--push-stall <time>', `(--push-handler) how long a stalled answer takes; must exceed NOTIFY_RELAY_TIMEOUT (default ${DEFAULT_PUSH_STALL})`);
}

/** The lifecycle options read and checked (null without --lifecycle), plus the stand-in handler's port and stall. */
export interface LifecyclePlan {
  options: LifecycleOptions;
  pushHandler: { port: number; stallMs: number } | null;
}

export function readLifecycleOptions(o: LifecycleCliOptions): LifecyclePlan | null {
  if (!o.lifecycle) {
    const given = LIFECYCLE_ONLY.filter(([key]) => o[key] !== undefined).map(([, flag]) => flag);
    if (given.length > 0) throw new Error(`${given.join(', ')} ${given.length === 1 ? 'needs' : 'need'} --lifecycle`);
    return null;
  }
  if (o.pushHandler === undefined) {
    const given = (['pushRefuseShare', 'pushStallShare', 'pushStall'] as const).filter((key) => o[key] !== undefined);
    if (given.length > 0) throw new Error('--push-refuse-share, --push-stall-share and --push-stall need --push-handler');
  }
  const share = (text: string | undefined, flag: string, fallback: number) => (text === undefined ? fallback : parseShare(text, flag));
  const endAfterMs = o.endAfter === undefined ? DEFAULT_LIFECYCLE.endAfterMs : parseDurationMsOrZero(o.endAfter, '--end-after');
  if (endAfterMs > MAX_END_AFTER_MS) throw new Error('--end-after must be at most 1h');
  const pushHandler = o.pushHandler === undefined
    ? null
    : { port: parseWholeNumber(o.pushHandler, '--push-handler', 1, 65_535), stallMs: parseDurationMs(o.pushStall ?? DEFAULT_PUSH_STALL, '--push-stall') };
  return {
    options: {
      lostEndShare: share(o.lostEndShare, '--lost-end-share', DEFAULT_LIFECYCLE.lostEndShare),
      undeliverableNotifyShare: share(o.undeliverableNotifyShare, '--undeliverable-notify-share', DEFAULT_LIFECYCLE.undeliverableNotifyShare),
      agentCallStatusShare: share(o.agentCallStatusShare, '--agent-call-status-share', DEFAULT_LIFECYCLE.agentCallStatusShare),
      endAfterMs,
      pushHandler: pushHandler === null
        ? null
        : {
            refuseShare: share(o.pushRefuseShare, '--push-refuse-share', DEFAULT_PUSH_HANDLER.refuseShare),
            stallShare: share(o.pushStallShare, '--push-stall-share', DEFAULT_PUSH_HANDLER.stallShare),
          },
    },
    pushHandler,
  };
}

/** Starts the stand-in push handler of a lifecycle plan (null when none is asked for), and says how callevt must be run. */
export async function startPlannedPushHandler(plan: LifecyclePlan, seed: string): Promise<PushHandler | null> {
  const shares = plan.options.pushHandler;
  if (plan.pushHandler === null || shares === null) return null;
  const handler = await startPushHandler({
    port: plan.pushHandler.port,
    stallMs: plan.pushHandler.stallMs,
    choose: (sid) => choosePushHandling(seed, sid, shares),
  });
  process.stderr.write(
    `simulate: stand-in push handler on ${handler.url} (refuses ${shares.refuseShare}, stalls ${shares.stallShare} for ${plan.pushHandler.stallMs} ms); ` +
      `callevt must run with NOTIFY_RELAY_URL=${handler.url} and a NOTIFY_RELAY_TIMEOUT shorter than the stall\n`,
  );
  return handler;
}

/** The summary lines of the sequence: what was sent, and what the stand-in handler saw. */
export function formatLifecycleSummary(totals: TruthTotals | null, handler: PushHandler | null): string {
  const lines: string[] = [];
  const l = totals?.lifecycle;
  if (l !== undefined) {
    lines.push(
      `  lifecycle     ${plural(l.notifies_sent, 'Notify', 'Notifies')} sent, ${l.notifies_undeliverable} undeliverable, ` +
        `${plural(l.agent_call_statuses_sent, 'Agent Call Status', 'Agent Call Statuses')}, ${plural(l.ends_lost, 'end event')} lost`,
    );
  }
  if (handler !== null) {
    const c = handler.counts;
    lines.push(`  push handler  took ${c.take}, refused ${c.refuse}, stalled ${c.stall}${c.ccParamMismatch > 0 ? `, ${c.ccParamMismatch} without cc_param = param` : ''}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
