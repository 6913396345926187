import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { Schema } from './openapi-schemas.js';
import { answer, mediaAnswer } from './responses.js';

export { API_DOCUMENT_VERSION } from './register-openapi.js';

/** The Swagger UI files served under /api/docs/, from the swagger-ui-dist package (no CDN). */
const SWAGGER_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** The page's script and styles all come from this server. */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>callevt API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css">
<link rel="icon" href="/api/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body>
</html>
`;

const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  persistAuthorization: false, tryItOutEnabled: false });
`;

const DOCUMENT_SCHEMA: Schema = {
  tags: ['operations'],
  operationId: 'getOpenApiDocument',
  summary: 'This document',
  security: [],
  response: { 200: answer({ type: 'object', additionalProperties: true }) },
};

const DOCS_PAGE_SCHEMA: Schema = {
  tags: ['operations'],
  operationId: 'getApiDocsPage',
  summary: 'This document as a browsable page (Swagger UI, served locally)',
  security: [],
  response: { 200: mediaAnswer('HTML', ['text/html']) },
};

/** The page's own files: served, not part of the API. */
const HIDDEN = { schema: { hide: true } };

/**
 * `GET /api/openapi.json` (the OpenAPI document of the whole API) and `GET /api/docs`
 * (Swagger UI over it, every file served from the installed package). Neither carries
 * data, so neither needs the API token; "Try it out" asks for the token in the page.
 */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  // Built on first request: the document covers every route, so only once all are registered.
  let document: string | undefined;
  const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();

  app.get('/api/openapi.json', { schema: DOCUMENT_SCHEMA }, async (_request, reply) => {
    document ??= JSON.stringify(app.swagger());
    return reply.type('application/json; charset=utf-8').send(document);
  });
  app.get('/api/docs', { schema: DOCS_PAGE_SCHEMA }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).header('referrer-policy', 'no-referrer').send(DOCS_HTML),
  );
  app.get('/api/docs/', HIDDEN, async (_request, reply) => reply.redirect('/api/docs'));
  app.get('/api/docs/init.js', HIDDEN, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INIT_JS));
  app.get<{ Params: { file: string } }>('/api/docs/:file', HIDDEN, async (request, reply) => {
    const { file } = request.params;
    const type = SWAGGER_ASSETS[file];
    if (type === undefined) throw new AppError('not_found', `No route for GET /api/docs/${file}`);
    let body = cache.get(file);
    if (body === undefined) {
      body = await readFile(join(assetDir, file));
      cache.set(file, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
