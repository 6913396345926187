import type { FastifyInstance } from 'fastify';
import { decodeCursor, encodeCursor } from '../../domain/call-log/call-cursor.js';
import { callToJson } from '../../domain/call-log/call-to-json.js';
import { exportChunks } from '../../domain/call-log/export-lines.js';
import type { CallFilter } from '../../domain/call-filter.js';
import { conflictToJson, deliveryToJson } from '../../domain/deliveries/deliveries-json.js';
import { type FilterQuery, parseCallFilter } from '../../domain/parse-call-filter.js';
import { reclassifyOutdatedCalls } from '../../domain/classify/reclassify-outdated.js';
import { CLASSIFIER_VERSION } from '../../domain/classify/release-codes.js';
import { AppError } from '../../errors/app-error.js';
import type { CallListQuery, CallStore } from '../../storage/port.js';
import {
  DEFAULT_CALL_PAGE,
  EXPORT_CALLS_SCHEMA,
  GET_CALL_SCHEMA,
  LIST_CALLS_SCHEMA,
  LIST_CONFLICTS_SCHEMA,
  LIST_DELIVERIES_SCHEMA,
  MAX_CALL_PAGE,
} from './call-route-schemas.js';
import { exportFormatOf, invalid, rawOf, sendExport, single } from './export-answer.js';

export { callToJson } from '../../domain/call-log/call-to-json.js';

export { CSV_FORMULAS_HEADER } from './export-answer.js';

export { DEFAULT_CALL_PAGE, MAX_CALL_PAGE } from './call-route-schemas.js';

type Query = { Querystring: FilterQuery };

/**
 * The call log: `GET /api/calls` (filtered pages, newest first), `GET /api/calls/export`
 * (every matching call, streamed as CSV or NDJSON), `GET /api/calls/:sid` and its
 * `/deliveries` (raw requests of the sid) and `/conflicts` (conflicting versions).
 */
export async function callRoutes(
  app: FastifyInstance,
  options: { store: CallStore; now?: () => number; reclassifyOnStart?: boolean },
): Promise<void> {
  const { store } = options;
  const now = options.now ?? Date.now;
  if (options.reclassifyOnStart !== false) reclassifyInBackground(app, store);

  app.get<Query>('/api/calls', { schema: LIST_CALLS_SCHEMA }, async (request) => {
    const filter = filterOf(request.query, now());
    const query: CallListQuery = { filter, limit: limitOf(request.query.limit) };
    const cursor = single(request.query.cursor, 'cursor');
    if (cursor !== undefined) {
      const position = decodeCursor(cursor, filter.time_field);
      if (typeof position === 'string') throw invalid('cursor', position);
      query.after = position;
    }
    const page = await store.listCalls(query);
    return {
      items: page.calls.map(callToJson),
      next_cursor: page.next === null ? null : encodeCursor(filter.time_field, page.next),
    };
  });

  app.get<Query>('/api/calls/export', { schema: EXPORT_CALLS_SCHEMA }, async (request, reply) => {
    const filter = filterOf(request.query, now());
    const format = exportFormatOf(request.query.format);
    const raw = rawOf(request.query.raw);
    return sendExport(reply, exportChunks(store.streamCalls(filter), format, undefined, { raw }), { format, raw, name: 'calls' });
  });

  app.get<{ Params: { sid: string } }>('/api/calls/:sid', { schema: GET_CALL_SCHEMA }, async (request) => {
    const call = await store.getCall(request.params.sid);
    if (call === null) throw new AppError('not_found', `No call with sid ${JSON.stringify(request.params.sid)}`);
    return callToJson(call);
  });

  app.get<{ Params: { sid: string } }>('/api/calls/:sid/deliveries', { schema: LIST_DELIVERIES_SCHEMA }, async (request) => {
    await requireCall(store, request.params.sid);
    return { items: (await store.listDeliveries(request.params.sid)).map(deliveryToJson) };
  });

  app.get<{ Params: { sid: string } }>('/api/calls/:sid/conflicts', { schema: LIST_CONFLICTS_SCHEMA }, async (request) => {
    await requireCall(store, request.params.sid);
    return { items: (await store.listConflicts(request.params.sid)).map(conflictToJson) };
  });
}

/** Deliveries and conflicts belong to a stored call: an unknown sid is a 404, not an empty list. */
async function requireCall(store: CallStore, sid: string): Promise<void> {
  if ((await store.getCall(sid)) === null) throw new AppError('not_found', `No call with sid ${JSON.stringify(sid)}`);
}

/**
 * Once the app is ready, brings calls stored by an older classifier version up to date,
 * in the background (batches yield to ingest); closing the app stops it between batches.
 */
function reclassifyInBackground(app: FastifyInstance, store: CallStore): void {
  const stop = new AbortController();
  let running: Promise<unknown> = Promise.resolve();
  app.addHook('onReady', async () => {
    running = reclassifyOutdatedCalls(store, { signal: stop.signal }).then(
      (result) => {
        if (result.reclassified > 0) app.log.info({ ...result, classifier_version: CLASSIFIER_VERSION }, 'reclassified calls stored by an older classifier');
      },
      (error: unknown) => app.log.error({ err: error }, 'reclassification failed; run `callevt reclassify` to retry'),
    );
  });
  app.addHook('onClose', async () => {
    stop.abort();
    await running;
  });
}

function filterOf(query: FilterQuery, nowMs: number): CallFilter {
  const parsed = parseCallFilter(query, nowMs);
  if (!parsed.ok) {
    const names = parsed.problems.map((p) => p.field).join(', ');
    throw new AppError('invalid_parameter', `Invalid query parameter(s): ${names}`, parsed.problems);
  }
  return parsed.filter;
}

function limitOf(raw: string | readonly string[] | undefined): number {
  const text = single(raw, 'limit');
  if (text === undefined) return DEFAULT_CALL_PAGE;
  const n = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_CALL_PAGE)) throw invalid('limit', `must be a whole number from 1 to ${MAX_CALL_PAGE}`);
  return n;
}
