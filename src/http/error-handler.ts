import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { isDatabaseUnavailable } from '../storage/port.js';
import { secretMatches } from './callback-guard.js';
import { pathOnly } from '../logging/path-only.js';

/** Methods tried on a path that has no route for the request's method, in the order `Allow` lists them. */
const KNOWN_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * Answers every error as `{ "error": { code, message, details } }`. 5xx answers never
 * carry internals: the cause is logged, the client gets a generic message.
 */
export function installErrorHandlers(app: FastifyInstance, options: { callbackSecret?: string | null } = {}): void {
  const secret = options.callbackSecret ?? null;
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (appError.code === 'unauthorized') void reply.header('www-authenticate', 'Bearer');
    void reply.code(appError.status).send(appError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const allowed = allowedMethods(app, request.url, secret);
    if (allowed.length > 0) {
      const error = new AppError('method_not_allowed', `Method ${request.method} is not allowed here; allowed: ${allowed.join(', ')}`);
      void reply.code(error.status).header('allow', allowed.join(', ')).send(error.toBody());
      return;
    }
    void reply.code(404).send(new AppError('not_found', `No route for ${request.method} ${pathOnly(request.url)}`).toBody());
  });
}

/**
 * The methods that have a route for this URL (empty: there is no such path). A callback
 * path with a wrong secret has none, so that a wrong method never reveals that the
 * secret path exists.
 */
function allowedMethods(app: FastifyInstance, url: string, secret: string | null): string[] {
  return KNOWN_METHODS.filter((method) => {
    const route = app.findRoute({ method, url });
    if (route === null) return false;
    const params = route.params as Record<string, string | undefined>;
    return secret === null || params.secret === undefined || secretMatches(params.secret, secret);
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
