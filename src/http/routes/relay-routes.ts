import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { CallStore, DeadLetter, RelayStatus } from '../../storage/port.js';
import { pageParameter } from './quarantine-routes.js';
import {
  DEFAULT_DEAD_LETTER_PAGE, LIST_DEAD_LETTERS_SCHEMA, MAX_DEAD_LETTER_PAGE, MAX_RETRY_IDS, RELAY_STATUS_SCHEMA, RETRY_DEAD_LETTERS_SCHEMA,
} from './relay-route-schemas.js';

export interface RelayRouteOptions {
  store: CallStore;
  now: () => number;
  /** Whether this receiver relays; the outbox is read either way (another receiver may relay). */
  enabled: boolean;
  /** Called after dead letters were put back in line, so the worker looks at once. */
  onRetried?: () => void;
}

/** The relay's outbox through the API: status, the dead-letter list and retry (behind the token). */
export async function relayRoutes(app: FastifyInstance, options: RelayRouteOptions): Promise<void> {
  const { store, now } = options;
  app.get('/api/relay/status', { schema: RELAY_STATUS_SCHEMA }, async () => {
    const at = now();
    return relayStatusAnswer(await store.relay.status(at, { countDelivered: true }), at, options.enabled);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/api/relay/dead-letters', { schema: LIST_DEAD_LETTERS_SCHEMA }, async (request) => {
    const limit = pageParameter(request.query.limit, 'limit', DEFAULT_DEAD_LETTER_PAGE, 1, MAX_DEAD_LETTER_PAGE);
    const before = request.query.before === undefined ? undefined : pageParameter(request.query.before, 'before', 0, 1, Number.MAX_SAFE_INTEGER);
    const items = await store.relay.listDeadLetters(before === undefined ? { limit } : { limit, beforeId: before });
    const last = items.at(-1);
    return {
      items: items.map(deadLetterAnswer),
      next_before: items.length === limit && last !== undefined ? last.id : null,
    };
  });

  app.post<{ Body: unknown }>('/api/relay/dead-letters/retry', { schema: RETRY_DEAD_LETTERS_SCHEMA }, async (request) => {
    const retried = await store.relay.retryDeadLetters(parseRetryBody(request.body), now());
    if (retried > 0) options.onRetried?.();
    return { retried };
  });
}

/** The outbox status as GET /api/relay/status answers it (the CLI prints the same from a database). */
export function relayStatusAnswer(status: RelayStatus, at: number, enabled: boolean) {
  return {
    enabled, pending: status.pending, in_flight: status.inFlight, delivered: status.delivered ?? 0, dead: status.dead,
    oldest_pending_age_ms: status.oldestPendingReceivedAt === null ? null : Math.max(0, at - status.oldestPendingReceivedAt),
  };
}

/** A dead letter as the API lists it: times as ISO text. */
export function deadLetterAnswer(d: DeadLetter) {
  return { ...d, received_at: new Date(d.received_at).toISOString(), dead_at: new Date(d.dead_at).toISOString() };
}

/** `{"ids":[…]}` or `{"all":true}`, exactly one of them. */
export function parseRetryBody(body: unknown): readonly number[] | 'all' {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const refuse = (field: string, problem: string) => new AppError('invalid_parameter', `${field} ${problem}`, [{ field, problem }]);
  if (fields.all === true && fields.ids === undefined) return 'all';
  if (fields.all !== undefined && fields.all !== true) throw refuse('all', 'must be true when given');
  if (fields.all === true) throw refuse('ids', 'must not be given with all');
  const ids = fields.ids;
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_RETRY_IDS) {
    throw refuse('ids', `must be a list of 1 to ${MAX_RETRY_IDS} dead-letter ids (or send {"all":true})`);
  }
  if (!ids.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) throw refuse('ids', 'must hold positive whole numbers');
  return ids as number[];
}
