import type { FastifyInstance } from 'fastify';
import { erasureTarget } from '../../domain/privacy/erasure-target.js';
import { AppError } from '../../errors/app-error.js';
import type { CallStore } from '../../storage/port.js';
import type { Schema } from '../openapi/openapi-schemas.js';
import { answer, errorAnswers } from '../openapi/responses.js';

/** Largest erasure request body, in bytes: two ids of at most 256 bytes each, JSON-escaped. */
export const MAX_ERASURE_BODY_BYTES = 4_096;

const ERASURE_SCHEMA: Schema = {
  operationId: 'createErasure',
  tags: ['privacy'],
  summary: 'Erase one user: their id becomes a random pseudonym, their IPs and app data go; statistics stay',
  description:
    "Rewrites, in one transaction, every call, conflicting version, raw request and quarantine entry naming the user: the user id becomes a random pseudonym (the same in all their rows, new for each erasure), their side's IP address is emptied and app_svr_data and unknown keys are removed. The other party is kept. Statistics stay equal. Records an audit row without personal data. docs/operations.md, \"Erasing a person\".",
  body: {
    type: 'object',
    required: ['service_id', 'user_id'],
    additionalProperties: false,
    properties: {
      service_id: { type: 'string', minLength: 1, maxLength: 256 },
      user_id: { type: 'string', minLength: 1, maxLength: 256 },
    },
  },
  response: {
    200: answer({
      type: 'object',
      required: ['id', 'erased_at', 'touched'],
      properties: {
        id: { type: 'integer', description: 'the audit row' },
        erased_at: { type: 'string', format: 'date-time' },
        touched: { type: 'object', description: 'rows changed per table', additionalProperties: { type: 'integer' } },
      },
    }, 'what the erasure changed'),
    ...errorAnswers('invalid_parameter', 'unauthorized', 'payload_too_large', 'unsupported_media_type', 'internal_error', 'storage_unavailable'),
  },
};

/** `POST /api/erasures`: erase one user (behind the API token, like every /api route). */
export async function erasureRoutes(app: FastifyInstance, options: { store: CallStore; now: () => number }): Promise<void> {
  app.post<{ Body: unknown }>('/api/erasures', { schema: ERASURE_SCHEMA, bodyLimit: MAX_ERASURE_BODY_BYTES }, async (request) => {
    const body = request.body as Record<string, unknown> | null;
    const serviceId = body?.service_id;
    const userId = body?.user_id;
    const details = [
      ...(typeof serviceId === 'string' ? [] : [{ field: 'service_id', problem: 'is required and must be a string' }]),
      ...(typeof userId === 'string' ? [] : [{ field: 'user_id', problem: 'is required and must be a string' }]),
    ];
    if (details.length > 0) throw new AppError('invalid_parameter', 'The body must be {"service_id": "...", "user_id": "..."}', details);
    let target: ReturnType<typeof erasureTarget>;
    try {
      target = erasureTarget(serviceId as string, userId as string);
    } catch (error) {
      throw new AppError('invalid_parameter', (error as Error).message, [{ field: 'user', problem: (error as Error).message }]);
    }
    const receipt = await options.store.eraseUser({ target, actor: 'api', now: options.now() });
    return { ...receipt, erased_at: new Date(receipt.erased_at).toISOString() };
  });
}
