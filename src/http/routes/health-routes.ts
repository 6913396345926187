import type { FastifyInstance } from 'fastify';
import type { CallStore } from '../../storage/port.js';

/** How long /readyz waits for the database, in milliseconds. */
export const READY_TIMEOUT_MS = 2_000;

/** `GET /healthz` (the process answers) and `GET /readyz` (the database answers too). */
export async function healthRoutes(app: FastifyInstance, options: { store: CallStore }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await withTimeout(options.store.ping(), READY_TIMEOUT_MS);
      return { status: 'ready', database: options.store.dialect };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: options.store.dialect });
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
