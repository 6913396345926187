import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { isDatabaseUnavailable } from '../storage/spool/database-unavailable.js';

/**
 * Answers every error as `{ "error": { code, message, details } }`. 5xx answers never
 * carry internals: the cause is logged, the client gets a generic message.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (appError.code === 'unauthorized') void reply.header('www-authenticate', 'Bearer');
    void reply.code(appError.status).send(appError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(new AppError('not_found', `No route for ${request.method} ${pathOnly(request.url)}`).toBody());
  });
}

/** Maps framework errors onto our codes; anything unexpected becomes a bare internal_error. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as Partial<FastifyError>;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new AppError('payload_too_large', 'The request body is too large');
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new AppError('unsupported_media_type', 'Unsupported content type');
  if (e.statusCode === 405) return new AppError('method_not_allowed', 'Method not allowed');
  if (e.validation !== undefined || e.statusCode === 400) {
    return new AppError('invalid_parameter', e.message ?? 'Invalid request');
  }
  if (isDatabaseUnavailable(error)) return new AppError('storage_unavailable', 'The database is unavailable; please retry', [], { cause: error });
  return new AppError('internal_error', 'Internal server error', [], { cause: error });
}

/** A URL without its query string: queries hold user ids and are never logged. */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
