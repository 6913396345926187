import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** The API document's own version: bump it when an endpoint's shape changes. */
export const API_DOCUMENT_VERSION = '1.1.0';

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

/**
 * `GET /api/openapi.json` (the OpenAPI document of the whole API) and `GET /api/docs`
 * (Swagger UI over it, every file served from the installed package). Neither carries
 * data, so neither needs the API token; "Try it out" asks for the token in the page.
 */
export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  const document = JSON.stringify(buildOpenApiDocument(API_DOCUMENT_VERSION));
  const assetDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Buffer>();

  app.get('/api/openapi.json', async (_request, reply) => reply.type('application/json; charset=utf-8').send(document));
  app.get('/api/docs', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', DOCS_CSP).header('referrer-policy', 'no-referrer').send(DOCS_HTML),
  );
  app.get('/api/docs/', async (_request, reply) => reply.redirect('/api/docs'));
  app.get('/api/docs/init.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(INIT_JS));
  app.get<{ Params: { file: string } }>('/api/docs/:file', async (request, reply) => {
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
