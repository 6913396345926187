import type { FastifyInstance } from 'fastify';
import { callLifeToJson } from '../../domain/lifecycle/call-life-json.js';
import { AppError } from '../../errors/app-error.js';
import type { CallStore, LifecycleException } from '../../storage/port.js';
import { CALL_LIFE_SCHEMA, DEFAULT_LIFECYCLE_PAGE, LIFECYCLE_LIST_SCHEMA, MAX_LIFECYCLE_PAGE } from './call-life-schemas.js';

const LIFECYCLE_STATES: readonly LifecycleException[] = ['end_missing', 'notify_missing'];

/**
 * One call's life joined on sid (`GET /api/calls/:sid/lifecycle`), and the calls whose
 * life has a gap (`GET /api/lifecycle?state=end_missing|notify_missing`).
 */
export async function callLifeRoutes(
  app: FastifyInstance,
  options: { store: CallStore; now: () => number; deadlineMs: number },
): Promise<void> {
  const { store, now, deadlineMs } = options;

  app.get<{ Params: { sid: string } }>('/api/calls/:sid/lifecycle', { schema: CALL_LIFE_SCHEMA }, async (request) => {
    const life = await store.getCallLife(request.params.sid);
    if (life === null) throw new AppError('not_found', `No callback with sid ${JSON.stringify(request.params.sid)}`);
    return callLifeToJson(life, { now: now(), deadlineMs });
  });

  app.get<{ Querystring: { state?: string | string[]; limit?: string | string[] } }>('/api/lifecycle', { schema: LIFECYCLE_LIST_SCHEMA }, async (request) => {
    const state = request.query.state as LifecycleException;
    if (!LIFECYCLE_STATES.includes(state)) {
      throw new AppError('invalid_parameter', 'Invalid query parameter: state', [{ field: 'state', problem: `must be one of ${LIFECYCLE_STATES.join(', ')}, once` }]);
    }
    const limitText = request.query.limit ?? String(DEFAULT_LIFECYCLE_PAGE);
    if (Array.isArray(limitText)) throw new AppError('invalid_parameter', 'Invalid query parameter: limit', [{ field: 'limit', problem: 'must be given at most once' }]);
    const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= MAX_LIFECYCLE_PAGE)) {
      throw new AppError('invalid_parameter', 'Invalid query parameter: limit', [{ field: 'limit', problem: `must be a whole number from 1 to ${MAX_LIFECYCLE_PAGE}` }]);
    }
    const entries = await store.listLifecycle({ lifecycle: state, now: now(), deadlineMs, limit });
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return { state, items: entries.map((e) => ({ ...e, notified_at: iso(e.notified_at), ended_at: iso(e.ended_at) })) };
  });
}
