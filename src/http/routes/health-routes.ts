import type { FastifyInstance } from 'fastify';
import type { CallStore, SpoolStatus } from '../../storage/port.js';
import type { Schema } from '../openapi/openapi-schemas.js';
import { answer } from '../openapi/responses.js';

/** How long /readyz waits for the database, in milliseconds. */
export const READY_TIMEOUT_MS = 2_000;

/**
 * What /readyz says of the local spool: `taking_callbacks` while the database does not
 * answer (callbacks are still answered 200, from the spool), `draining` while records
 * wait for the database (new callbacks join them), `standby` when empty; `held` counts the
 * records the database refused for a reason other than availability, kept apart in the spool file.
 */
export type SpoolReadiness = { status: 'standby' | 'draining' | 'taking_callbacks'; pending: number; held: number };

/** The `spool` member of /readyz, present only when a local spool fronts PostgreSQL. */
const SPOOL_READINESS: Schema = {
  type: 'object',
  description: 'only with PostgreSQL and SPOOL_FILE on: taking_callbacks while the database is down, draining while spooled records wait, standby when empty',
  required: ['status', 'pending', 'held'],
  properties: {
    status: { type: 'string', enum: ['standby', 'draining', 'taking_callbacks'] },
    pending: { type: 'integer', description: 'records waiting in the spool' },
    held: { type: 'integer', description: 'records the database refused for a reason other than availability, kept apart in the spool file' },
  },
};

const readiness = (status: string): Schema => ({
  type: 'object',
  required: ['status', 'database'],
  properties: { status: { const: status }, database: { type: 'string' }, spool: SPOOL_READINESS },
});

const HEALTH_SCHEMA: Schema = {
  operationId: 'getHealth',
  tags: ['operations'],
  summary: 'The process answers',
  security: [],
  response: { 200: answer({ type: 'object', required: ['status'], properties: { status: { const: 'ok' } } }) },
};

const READINESS_SCHEMA: Schema = {
  operationId: 'getReadiness',
  tags: ['operations'],
  summary: 'The database answers too',
  security: [],
  response: {
    200: answer(readiness('ready')),
    503: answer(readiness('unavailable'), 'the database does not answer (with a spool, callbacks are still answered 200 from it)'),
  },
};

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (the database answers too; with
 * a spool, its state is added under `spool`, and the status stays 503 while the database is down).
 */
export async function healthRoutes(app: FastifyInstance, options: { store: CallStore; spool?: SpoolStatus }): Promise<void> {
  const { store, spool } = options;
  const spoolState = (databaseUp: boolean): { spool?: SpoolReadiness } => {
    if (spool === undefined) return {};
    const pending = spool.pending;
    return { spool: { status: !databaseUp ? 'taking_callbacks' : pending > 0 ? 'draining' : 'standby', pending, held: spool.held } };
  };
  app.get('/healthz', { schema: HEALTH_SCHEMA }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: READINESS_SCHEMA }, async (_request, reply) => {
    try {
      await withTimeout(store.ping(), READY_TIMEOUT_MS);
      return { status: 'ready', database: store.dialect, ...spoolState(true) };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: store.dialect, ...spoolState(false) });
    }
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}
