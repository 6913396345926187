import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { secretMatches } from './callback-guard.js';

/**
 * An onRequest hook for the read API: with tokens configured, requires
 * `Authorization: Bearer <token>`; with none, the API is open (loopback only, by config).
 */
export function requireApiToken(tokens: readonly string[]): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (tokens.length === 0) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const presented = match?.[1];
    // Check every token (no early exit) so that timing does not tell which one is close.
    const ok = presented !== undefined && tokens.map((t) => secretMatches(presented, t)).includes(true);
    if (!ok) {
      throw new AppError('unauthorized', presented === undefined ? 'This API needs Authorization: Bearer <token>' : 'The API token is not valid');
    }
  };
}
