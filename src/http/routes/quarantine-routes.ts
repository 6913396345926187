import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { CallStore } from '../../storage/port.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { querystring } from '../openapi/query-parameters.js';
import { answer, READ_ERRORS } from '../openapi/responses.js';

/** Most quarantine entries one page returns. */
export const MAX_QUARANTINE_PAGE = 1000;
/** Quarantine entries one page returns by default. */
export const DEFAULT_QUARANTINE_PAGE = 50;

const LIST_QUARANTINE_SCHEMA: Schema = {
  operationId: 'listQuarantine',
  tags: ['quarantine'],
  summary: 'Refused callbacks, newest first',
  querystring: querystring({
    limit: { type: 'integer', minimum: 1, maximum: MAX_QUARANTINE_PAGE, default: DEFAULT_QUARANTINE_PAGE, description: 'entries per page' },
    before: { type: 'integer', minimum: 1, description: 'next_before of the previous page' },
  }),
  response: {
    200: answer({ type: 'object', required: ['items', 'next_before'], properties: { items: { type: 'array', items: ref('QuarantineEntry') }, next_before: { type: ['integer', 'null'] } } }),
    ...READ_ERRORS,
  },
};

/** `GET /api/quarantine?limit=N&before=ID`: refused callbacks, newest first. */
export async function quarantineRoutes(app: FastifyInstance, options: { store: CallStore }): Promise<void> {
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/quarantine', { schema: LIST_QUARANTINE_SCHEMA }, async (request) => {
    const limit = pageParameter(request.query.limit, 'limit', DEFAULT_QUARANTINE_PAGE, 1, MAX_QUARANTINE_PAGE);
    const before = request.query.before === undefined ? undefined : pageParameter(request.query.before, 'before', 0, 1, Number.MAX_SAFE_INTEGER);
    const items = await options.store.listQuarantine(before === undefined ? { limit } : { limit, beforeId: before });
    const last = items.at(-1);
    return {
      items: items.map((item) => ({ ...item, received_at: new Date(item.received_at).toISOString() })),
      next_before: items.length === limit && last !== undefined ? last.id : null,
    };
  });
}

/** A whole-number query parameter within bounds, or a 400 invalid_parameter naming it. */
export function pageParameter(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new AppError('invalid_parameter', `${name} must be a whole number from ${min} to ${max}`, [
      { field: name, problem: `must be a whole number from ${min} to ${max}` },
    ]);
  }
  return n;
}
