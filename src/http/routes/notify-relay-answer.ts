import type { FastifyReply } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { NotifyRelay, NotifyRelayVerdict } from '../../relay/notify-relay.js';
import type { NotifyRelayAttempt, RecordResult } from '../../storage/port.js';

/** A Notify on its way to the app's notify handler. */
export interface RelayInFlight {
  attemptedAt: number;
  /** Never rejects: a failure is a verdict. */
  verdict: Promise<NotifyRelayVerdict>;
}

/**
 * Sends a Notify to the app's notify handler. Called once the Notify is written to the
 * database: on SQLite while the commit's fsync is still on its way to the disk, so that the
 * two waits overlap instead of adding up (bench/notify). LINE Planet is answered only
 * after both (answerWithRelay after the durable commit), so nothing is acknowledged before
 * it is durable.
 */
export function startNotifyRelay(relay: NotifyRelay, values: ReadonlyMap<string, string>, now: () => number): RelayInFlight {
  return { attemptedAt: now(), verdict: relay.relay(values) };
}

/** The attempt to store for a relayed Notify. */
export function attemptOf(sid: string, attemptedAt: number, verdict: NotifyRelayVerdict): NotifyRelayAttempt {
  return { sid, attempted_at: attemptedAt, outcome: verdict.outcome, status: verdict.status, latency_ms: verdict.latencyMs, error: verdict.error };
}

/**
 * Answers LINE Planet for a durably stored Notify with its relay's verdict, as if LINE
 * Planet had called the notify handler itself: 2xx → 200; any other status or no
 * connection → 502; no answer in time → 504 (LINE Planet then fails the call with 1302
 * PUSH_ERROR). The attempt is handed to `onRelayed`, which stores it after this answer.
 */
export async function answerWithRelay(
  reply: FastifyReply,
  stored: { result: RecordResult; sid: string },
  relaying: RelayInFlight,
  options: { onRelayed?: (attempt: NotifyRelayAttempt) => void },
): Promise<FastifyReply> {
  const verdict = await relaying.verdict;
  options.onRelayed?.(attemptOf(stored.sid, relaying.attemptedAt, verdict));
  const relayed = { outcome: verdict.outcome, status: verdict.status, latency_ms: verdict.latencyMs };
  if (verdict.outcome === 'ok') return reply.code(200).send({ result: stored.result, sid: stored.sid, relay: relayed });
  // The handler's failure, not ours: a warning with the facts (never the URL, which may carry a token).
  reply.log.warn({ sid: stored.sid, ...relayed }, 'the notify handler did not take a Notify: LINE Planet will fail the call with PUSH_ERROR');
  const detail = [{ field: 'relay', problem: verdict.error ?? verdict.outcome }];
  const error = verdict.outcome === 'timeout'
    ? new AppError('notify_handler_timeout', "The Notify was stored; the app's notify handler did not answer in time", detail)
    : new AppError('notify_handler_failed', "The Notify was stored; the app's notify handler refused it or could not be reached", detail);
  return reply.code(error.status).send(error.toBody());
}
