import type { FastifyInstance } from 'fastify';
import { classifyCall } from '../../domain/classify/classify-call.js';
import { AppError } from '../../errors/app-error.js';
import type { CallStore, StoredCall } from '../../storage/port.js';

/** The JSON form of a call: LINE Planet field names, typed values, and its status. */
export function callToJson(call: StoredCall): Record<string, unknown> {
  const { received_at, outcome: _o, ended_by: _e, reason: _r, reason_source: _s, classifier_version: _v, ...fields } = call;
  return { ...fields, received_at: new Date(received_at).toISOString(), status: classifyCall(call) };
}

/** Reading one call back: `GET /api/calls/:sid`. */
export async function callRoutes(app: FastifyInstance, options: { store: CallStore }): Promise<void> {
  app.get<{ Params: { sid: string } }>('/api/calls/:sid', async (request) => {
    const call = await options.store.getCall(request.params.sid);
    if (call === null) throw new AppError('not_found', `No call with sid ${JSON.stringify(request.params.sid)}`);
    return callToJson(call);
  });
}
