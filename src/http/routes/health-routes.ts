import type { FastifyInstance } from 'fastify';
import type { CallStore, SpoolStatus } from '../../storage/port.js';

/** How long /readyz waits for the database, in milliseconds. */
export const READY_TIMEOUT_MS = 2_000;

/**
 * What /readyz says of the local spool: `taking_callbacks` while the database does not
 * answer (callbacks are still answered 200, from the spool), `draining` while records
 * wait for the database (new callbacks join them), `standby` when empty; `held` counts the
 * records the database refused for a reason other than availability, kept apart in the spool file.
 */
export type SpoolReadiness = { status: 'standby' | 'draining' | 'taking_callbacks'; pending: number; held: number };

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
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
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
