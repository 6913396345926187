import type { Schema } from '../openapi/openapi-schemas.js';
import { querystring } from '../openapi/query-parameters.js';
import { answer, errorAnswers, READ_ERRORS } from '../openapi/responses.js';

/** Most dead letters one page returns. */
export const MAX_DEAD_LETTER_PAGE = 1000;
/** Dead letters one page returns by default. */
export const DEFAULT_DEAD_LETTER_PAGE = 50;
/** Most ids one retry request names. */
export const MAX_RETRY_IDS = 1000;

const DEAD_LETTER: Schema = {
  type: 'object',
  required: ['id', 'delivery_id', 'kind', 'sid', 'method', 'received_at', 'attempts', 'last_error', 'dead_at'],
  properties: {
    id: { type: 'integer', description: 'the outbox id (what retry takes)' },
    delivery_id: { type: 'string', description: 'the webhook-id every attempt carried' },
    kind: { type: 'string', enum: ['call-event', 'agent-call-status'] },
    sid: { type: 'string' },
    method: { type: 'string' },
    received_at: { type: 'string', format: 'date-time', description: 'when LINE Planet delivered it to callevt' },
    attempts: { type: 'integer' },
    last_error: { type: ['string', 'null'], description: 'what the last attempt got, e.g. "HTTP 503" or "no answer within 10000 ms"' },
    dead_at: { type: 'string', format: 'date-time', description: 'when the relay gave up' },
  },
};

export const RELAY_STATUS_SCHEMA: Schema = {
  operationId: 'getRelayStatus',
  tags: ['relay'],
  summary: 'The Call Event relay outbox at a glance',
  response: {
    200: answer({
      type: 'object',
      required: ['enabled', 'pending', 'in_flight', 'delivered', 'dead', 'oldest_pending_age_ms'],
      properties: {
        enabled: { type: 'boolean', description: 'whether this receiver relays (CALL_EVENT_RELAY_URL is set)' },
        pending: { type: 'integer', description: 'waiting: due, backing off, or behind an earlier item of the same sid' },
        in_flight: { type: 'integer', description: 'leased by a relay worker' },
        delivered: { type: 'integer', description: 'delivered rows kept in the outbox' },
        dead: { type: 'integer', description: 'dead letters' },
        oldest_pending_age_ms: { type: ['integer', 'null'], description: 'age of the oldest undelivered item, from its receipt' },
      },
    }),
    ...errorAnswers('unauthorized', 'internal_error', 'storage_unavailable'),
  },
};

export const LIST_DEAD_LETTERS_SCHEMA: Schema = {
  operationId: 'listRelayDeadLetters',
  tags: ['relay'],
  summary: 'Relayed deliveries the relay gave up on, newest first',
  querystring: querystring({
    limit: { type: 'integer', minimum: 1, maximum: MAX_DEAD_LETTER_PAGE, default: DEFAULT_DEAD_LETTER_PAGE, description: 'entries per page' },
    before: { type: 'integer', minimum: 1, description: 'next_before of the previous page' },
  }),
  response: {
    200: answer({
      type: 'object', required: ['items', 'next_before'],
      properties: { items: { type: 'array', items: DEAD_LETTER }, next_before: { type: ['integer', 'null'] } },
    }),
    ...READ_ERRORS,
  },
};

export const RETRY_DEAD_LETTERS_SCHEMA: Schema = {
  operationId: 'retryRelayDeadLetters',
  tags: ['relay'],
  summary: 'Puts dead letters back in line, with a fresh attempt count',
  body: {
    type: 'object',
    description: 'either ids or all: true',
    properties: {
      ids: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, maxItems: MAX_RETRY_IDS },
      all: { type: 'boolean', const: true },
    },
  },
  response: {
    200: answer({ type: 'object', required: ['retried'], properties: { retried: { type: 'integer', description: 'dead letters put back in line' } } }),
    ...errorAnswers('invalid_parameter', 'unauthorized', 'internal_error', 'storage_unavailable'),
  },
};
