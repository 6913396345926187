import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { installErrorHandlers } from '../error-handler.js';
import { DASHBOARD_CSP, dashboardRoutes } from './dashboard-routes.js';

const INDEX = `<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body>${'x'.repeat(2000)}</body></html>`;
const SCRIPT = `console.log(${JSON.stringify('y'.repeat(4000))});`;

async function appWithBuild(files: Record<string, string> | null) {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-dashboard-'));
  const built = join(dir, 'dashboard');
  if (files !== null) {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(built, path, '..'), { recursive: true });
      writeFileSync(join(built, path), text);
    }
  }
  const app = Fastify();
  installErrorHandlers(app);
  await app.register(dashboardRoutes, { dir: built });
  return { app, cleanup: async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); } };
}

describe('dashboard routes', () => {
  it('when / is requested, then answers the built index.html with a strict CSP and no caching', async () => {
    const { app, cleanup } = await appWithBuild({ 'index.html': INDEX, 'assets/index-abc123.js': SCRIPT });
    try {
      const res = await app.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['content-security-policy'], DASHBOARD_CSP);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.equal(res.body, INDEX);
    } finally {
      await cleanup();
    }
  });

  it('when a hashed asset is requested with gzip accepted, then answers it gzipped and cacheable forever', async () => {
    const { app, cleanup } = await appWithBuild({ 'index.html': INDEX, 'assets/index-abc123.js': SCRIPT });
    try {
      const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-encoding'], 'gzip');
      assert.match(String(res.headers['cache-control']), /immutable/);
      assert.match(String(res.headers['content-type']), /^text\/javascript/);
      assert.equal(gunzipSync(res.rawPayload).toString(), SCRIPT);
    } finally {
      await cleanup();
    }
  });

  it('when gzip is not accepted, then answers the file as it is', async () => {
    const { app, cleanup } = await appWithBuild({ 'index.html': INDEX, 'assets/index-abc123.js': SCRIPT });
    try {
      const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip;q=0' } });
      assert.equal(res.headers['content-encoding'], undefined);
      assert.equal(res.body, SCRIPT);
    } finally {
      await cleanup();
    }
  });

  it('when an asset that was not built is requested, then answers 404 in the API error shape', async () => {
    const { app, cleanup } = await appWithBuild({ 'index.html': INDEX });
    try {
      const res = await app.inject({ method: 'GET', url: '/assets/..%2f..%2fpackage.json' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'not_found');
    } finally {
      await cleanup();
    }
  });

  it('when the dashboard was never built, then / answers 503 saying how to build it', async () => {
    const { app, cleanup } = await appWithBuild(null);
    try {
      const res = await app.inject({ method: 'GET', url: '/' });
      assert.equal(res.statusCode, 503);
      assert.match(res.body, /npm run build/);
    } finally {
      await cleanup();
    }
  });
});
