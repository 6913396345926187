import type { FastifyReply } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { NotifyRelay } from '../../relay/notify-relay.js';
import type { NotifyRelayAttempt, RecordResult } from '../../storage/port.js';

/**
 * Passes a stored Notify on to the app's notify handler and answers LINE Planet with the
 * handler's verdict, as if LINE Planet had called the handler itself: 2xx → 200; any
 * other status or no connection → 502; no answer in time → 504 (LINE Planet then fails
 * the call with 1302 PUSH_ERROR). The attempt is handed to `onRelayed`, which stores it
 * after this answer.
 */
export async function answerWithRelay(
  reply: FastifyReply,
  stored: { result: RecordResult; sid: string },
  values: ReadonlyMap<string, string>,
  options: { relay: NotifyRelay; now: () => number; onRelayed?: (attempt: NotifyRelayAttempt) => void },
): Promise<FastifyReply> {
  const attemptedAt = options.now();
  const verdict = await options.relay.relay(values);
  options.onRelayed?.({
    sid: stored.sid, attempted_at: attemptedAt, outcome: verdict.outcome, status: verdict.status, latency_ms: verdict.latencyMs, error: verdict.error,
  });
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
