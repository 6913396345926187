import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/app-error.js';

/** Where `npm run build` (vite) puts the dashboard, relative to the package root. */
export const DASHBOARD_BUILD_DIR = join('dist', 'dashboard');

/** Largest file the dashboard serves, in bytes: the build is small; anything bigger is a mistake. */
export const MAX_DASHBOARD_FILE_BYTES = 2 * 1024 * 1024;

/**
 * The page may load only its own scripts and styles and talk only to this server.
 * Inline styles are allowed because uPlot sizes its canvas with style attributes.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** One built file, read once at start, with its gzip form when that is smaller. */
interface DashboardFile {
  body: Buffer;
  gzipped: Buffer | null;
  contentType: string;
  /** Vite names assets by content hash, so they never change under their name. */
  immutable: boolean;
}

export interface DashboardRouteOptions {
  /** The built dashboard; by default `dist/dashboard` under the package root. */
  dir?: string;
}

/**
 * Serves the web dashboard: `/` and the files vite built. Files are read once at start
 * and served from a fixed list, so no request path ever reaches the file system. The
 * dashboard itself holds no data; it reads the token-protected API.
 */
export async function dashboardRoutes(app: FastifyInstance, options: DashboardRouteOptions = {}): Promise<void> {
  const dir = options.dir ?? defaultDashboardDir();
  const files = loadDashboard(dir);
  const index = files.get('/index.html');
  if (index === undefined) {
    app.get('/', HIDDEN, async (_request, reply) =>
      reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built. Run `npm run build` (it runs vite), then restart.\n'));
    return;
  }
  app.get('/', HIDDEN, async (request, reply) => send(request, reply, index));
  for (const [path, file] of files) {
    if (path === '/index.html') continue;
    app.get(path, HIDDEN, async (request, reply) => send(request, reply, file));
  }
  app.get('/assets/*', HIDDEN, async (request) => {
    throw new AppError('not_found', `No dashboard file ${JSON.stringify(request.url.split('?')[0])}`);
  });
}

/** The dashboard's files are served, not part of the API document. */
const HIDDEN = { schema: { hide: true } };

function send(request: FastifyRequest, reply: FastifyReply, file: DashboardFile): FastifyReply {
  void reply
    .type(file.contentType)
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('vary', 'accept-encoding');
  if (file.contentType.startsWith('text/html')) {
    void reply.header('content-security-policy', DASHBOARD_CSP).header('referrer-policy', 'no-referrer');
  }
  if (file.gzipped !== null && acceptsGzip(request.headers['accept-encoding'])) {
    return reply.header('content-encoding', 'gzip').send(file.gzipped);
  }
  return reply.send(file.body);
}

function acceptsGzip(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : header ?? '';
  return text.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** Reads every built file under `dir`, keyed by its URL path (`/assets/index-abc.js`). */
export function loadDashboard(dir: string): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  if (!existsSync(dir)) return files;
  for (const file of walk(dir)) {
    const contentType = CONTENT_TYPES[extname(file).toLowerCase()];
    if (contentType === undefined || statSync(file).size > MAX_DASHBOARD_FILE_BYTES) continue;
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    const body = readFileSync(file);
    const compressible = !/^image\/png|^font\//.test(contentType);
    const gzipped = compressible ? gzipSync(body, { level: 9 }) : null;
    files.set(urlPath, {
      body,
      gzipped: gzipped !== null && gzipped.length < body.length ? gzipped : null,
      contentType,
      immutable: urlPath.startsWith('/assets/'),
    });
  }
  return files;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : entry.isFile() ? [path] : [];
  });
}

/** `dist/dashboard` under the package root, found from this file (it runs from src/ or dist/src/). */
function defaultDashboardDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, DASHBOARD_BUILD_DIR);
    const parent = dirname(dir);
    if (parent === dir) return join(process.cwd(), DASHBOARD_BUILD_DIR);
    dir = parent;
  }
}
