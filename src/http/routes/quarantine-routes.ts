import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { parseReplaySelection } from '../../ingest/parse-replay-selection.js';
import { MAX_REPLAY_IDS, MAX_REPLAY_LISTED, replayQuarantine, type ReplaySummary } from '../../ingest/replay-quarantine.js';
import type { CallStore } from '../../storage/port.js';
import { ref, type Schema } from '../openapi/openapi-schemas.js';
import { querystring } from '../openapi/query-parameters.js';
import { answer, errorAnswers, READ_ERRORS } from '../openapi/responses.js';

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

const REASONS: Schema = { type: 'array', items: { type: 'object', required: ['field', 'problem'], properties: { field: { type: 'string' }, problem: { type: 'string' } } } };
const RESULT_COUNT: Schema = { type: 'integer', minimum: 0 };

const REPLAY_QUARANTINE_SCHEMA: Schema = {
  operationId: 'replayQuarantine',
  tags: ['quarantine'],
  summary: 'Read quarantined callbacks again with this version\'s parser',
  description: 'Each selected entry is read again from its raw request: one that now parses becomes a call (or a duplicate or conflicting version) exactly as if it had arrived then, with its original time and raw request; the others stay with their new reasons. With dry_run nothing is written: the answer says what would happen.',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      dry_run: { type: 'boolean', default: false, description: 'only say what would change' },
      since: { type: 'string', description: 'only entries received at or after: Unix seconds, ISO-8601 or relative like -24h' },
      ids: { type: 'array', maxItems: MAX_REPLAY_IDS, items: { type: 'integer', minimum: 1 }, description: 'only these quarantine entries' },
    },
  },
  response: {
    200: answer({
      type: 'object',
      required: ['dry_run', 'counts', 'skipped', 'entries', 'unlisted'],
      properties: {
        dry_run: { type: 'boolean' },
        unlisted: { type: 'integer', minimum: 0, description: `entries read again beyond the first ${MAX_REPLAY_LISTED} listed (counted, not listed)` },
        counts: { type: 'object', required: ['accepted', 'duplicate', 'conflict', 'quarantined'], properties: { accepted: RESULT_COUNT, duplicate: RESULT_COUNT, conflict: RESULT_COUNT, quarantined: RESULT_COUNT } },
        skipped: { type: 'integer', minimum: 0, description: 'entries left as they were: raw request pruned, or an endpoint no reader knows' },
        entries: {
          type: 'array',
          items: {
            type: 'object',
            required: ['quarantine_id', 'raw_request_id', 'received_at', 'result', 'sid', 'reasons', 'previous_reasons'],
            properties: {
              quarantine_id: { type: 'integer' },
              raw_request_id: { type: 'integer' },
              received_at: { type: 'string', format: 'date-time' },
              result: { type: 'string', enum: ['accepted', 'duplicate', 'conflict', 'quarantined'] },
              sid: { type: ['string', 'null'] },
              reasons: { anyOf: [REASONS, { type: 'null' }], description: 'why it stays in quarantine; null once it parses' },
              previous_reasons: REASONS,
            },
          },
        },
      },
    }),
    ...errorAnswers('invalid_parameter', 'unauthorized', 'internal_error', 'storage_unavailable'),
  },
};

/**
 * `GET /api/quarantine?limit=N&before=ID`: refused callbacks, newest first.
 * `POST /api/quarantine/replay`: read them again (replay-quarantine.ts).
 */
export async function quarantineRoutes(app: FastifyInstance, options: { store: CallStore; now?: () => number }): Promise<void> {
  const now = options.now ?? Date.now;
  // One replay at a time in this process: two replaying the same entry would record it twice.
  let replaying: Promise<unknown> = Promise.resolve();
  app.post<{ Body: unknown }>('/api/quarantine/replay', { schema: REPLAY_QUARANTINE_SCHEMA, bodyLimit: 65_536 }, async (request) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new AppError('invalid_parameter', 'The body must be a JSON object', [{ field: 'body', problem: 'must be a JSON object' }]);
    const unknown = Object.keys(body).filter((k) => !['dry_run', 'since', 'ids'].includes(k));
    const parsed = parseReplaySelection(body, now());
    const problems = [
      ...unknown.map((k) => ({ field: k, problem: 'is not an option (dry_run, since, ids)' })),
      ...(body.dry_run === undefined || typeof body.dry_run === 'boolean' ? [] : [{ field: 'dry_run', problem: 'must be true or false' }]),
      ...(parsed.ok ? [] : parsed.problems),
    ];
    if (!parsed.ok || problems.length > 0) throw new AppError('invalid_parameter', `Bad replay options: ${problems.map((p) => p.field).join(', ')}`, problems);
    const run = replaying.then(() => replayQuarantine(options.store, parsed.selection, { dryRun: body.dry_run === true }));
    replaying = run.catch(() => undefined);
    return replayToJson(await run);
  });

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

function replayToJson(summary: ReplaySummary) {
  return { ...summary, entries: summary.entries.map((e) => ({ ...e, received_at: new Date(e.received_at).toISOString() })) };
}
