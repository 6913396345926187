import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { openApiMetadata } from './openapi-document.js';
import { OPENAPI_SCHEMAS } from './openapi-schemas.js';

/** The API document's own version: bump it when an endpoint's shape changes. */
export const API_DOCUMENT_VERSION = '1.3.0';

/** Every request passes: the schemas document the input, our own parsers judge it. */
const DOCUMENT_ONLY = () => () => true;

/**
 * A callback's fields may all come in the query, so its POST body is optional (the plugin
 * marks every documented body required, because Fastify's own validation would require one).
 */
function withOptionalCallbackBody<T extends { paths?: object }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {}) as Array<Record<string, unknown>>) {
    const body = (operations.post as { requestBody?: { required?: boolean } } | undefined)?.requestBody;
    if (body !== undefined) delete body.required;
  }
  return document;
}

/**
 * Makes the routes' schemas the API's contract; call it before registering any route.
 * Fastify serialises each answer with its route's response schema, and @fastify/swagger
 * collects every route's schema into the OpenAPI document (`app.swagger()`), with
 * OPENAPI_SCHEMAS as its components.
 *
 * Requests are not validated by the schemas: callbacks must reach their own decoder, so
 * that a malformed one is quarantined (never a framework 400), and the read endpoints'
 * parsers (parseCallFilter, readParams…) name each bad parameter and its problem. A test
 * checks that each route documents exactly the query parameters it reads.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  app.setValidatorCompiler(DOCUMENT_ONLY);
  await app.register(swagger, {
    openapi: openApiMetadata(API_DOCUMENT_VERSION),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // With CALLBACK_SECRET the callback path holds the secret: the document shows the public form.
    transform: ({ schema, url }) => ({ schema, url: url.replace('/:secret/', '/') }),
    transformObject: (document) => ('openapiObject' in document ? withOptionalCallbackBody(document.openapiObject) : document.swaggerObject),
  });
  for (const [name, schema] of Object.entries(OPENAPI_SCHEMAS)) app.addSchema({ $id: name, ...schema });
}
