import { ERROR_STATUS, type ErrorCode } from '../../errors/app-error.js';
import { ref, type Schema } from './openapi-schemas.js';

/** The key @fastify/swagger reads a response's description from (and leaves out of its schema). */
export const RESPONSE_DESCRIPTION = 'x-response-description';

/**
 * A JSON answer's schema with the description the document shows for it. Beside a `$ref`
 * the plugin reads `description` (the referenced schema replaces the rest).
 */
export const answer = (schema: Schema, description = 'OK'): Schema => ({ [schema.$ref === undefined ? RESPONSE_DESCRIPTION : 'description']: description, ...schema });

/**
 * The error answers an operation can give, one per status, each `{ "error": … }` (the
 * Error schema) and described by the codes that share the status.
 */
export function errorAnswers(...codes: ErrorCode[]): Record<string, Schema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries([...byStatus].map(([status, list]) => [String(status), answer(ref('Error'), `error code ${list.join(' or ')}`)]));
}

/** The errors of every read endpoint that takes query parameters. */
export const READ_ERRORS = errorAnswers('invalid_parameter', 'unauthorized', 'internal_error', 'storage_unavailable');

/** The errors of a read endpoint addressed by a call's sid. */
export const SID_ERRORS = errorAnswers('not_found', 'unauthorized', 'internal_error', 'storage_unavailable');

/** The `sid` path parameter. */
export const SID_PARAMS: Schema = { type: 'object', required: ['sid'], properties: { sid: { type: 'string' } } };

/** A non-JSON answer, one schema per media type. */
export const mediaAnswer = (description: string, mediaTypes: readonly string[]): Schema => ({
  description,
  content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: { type: 'string' } }])),
});
