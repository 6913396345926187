import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ERROR_STATUS } from '../../errors/app-error.js';
import { repoRoot } from '../../../test/fixtures/repo-root.js';
import { createTestApp } from '../../../test/fixtures/test-app.js';

/** Every (path, method) the app serves, read from Fastify's route tree. */
function registeredRoutes(app: FastifyInstance): Array<{ path: string; methods: string[] }> {
  const routes: Array<{ path: string; methods: string[] }> = [];
  const stack: Array<{ depth: number; path: string }> = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[└├]── (.+?) \(([A-Z, ]+)\)$/.exec(line.replace(/\u00a0/g, ' '));
    if (m === null) continue;
    const depth = (m[1] ?? '').length / 4;
    while (stack.length > 0 && (stack.at(-1)?.depth ?? 0) >= depth) stack.pop();
    const parent = stack.at(-1)?.path ?? '';
    const segment = m[2] ?? '';
    const path = parent === '' ? segment : `${parent.endsWith('/') ? parent : `${parent}`}${parent.endsWith('/') || segment.startsWith('/') ? '' : '/'}${segment}`;
    stack.push({ depth, path });
    routes.push({ path, methods: (m[3] ?? '').split(', ').filter((x) => x !== 'HEAD') });
  }
  return routes;
}

function repoFile(relative: string): string {
  return readFileSync(join(repoRoot(), relative), 'utf8');
}

describe('GET /api/openapi.json', () => {
  it('when asked, then it is an OpenAPI 3.1 document listing every agreed endpoint, without needing the token', async () => {
    const t = await createTestApp({ API_TOKEN: 'a-token-of-16-chars-or-more' });
    try {
      const res = await t.app.inject({ url: '/api/openapi.json' });
      assert.equal(res.statusCode, 200);
      const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
      assert.match(doc.openapi, /^3\.1\./);
      for (const path of ['/callbacks/call-event', '/api/calls', '/api/calls/export', '/api/calls/{sid}', '/api/quarantine',
        '/api/stats/summary', '/api/stats/timeseries', '/api/stats/breakdown', '/metrics', '/healthz', '/readyz']) {
        assert.ok(doc.paths[path]?.get, `${path} is documented`);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('when the document refers to a schema, then that schema exists, and every operation lists its responses under its own operationId', async () => {
    const t = await createTestApp();
    try {
      type Operation = { responses?: object; operationId?: string; parameters?: Array<{ name: string }> };
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };
      const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1] ?? '');
      assert.ok(refs.length > 5);
      for (const name of refs) assert.ok(doc.components.schemas[name], `schema ${name} exists`);
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          assert.ok(op.responses && Object.keys(op.responses).length > 0, `${method} ${path} has responses`);
          for (const { name } of op.parameters ?? []) assert.match(name, /^[a-z][a-z_]*$/, `${method} ${path} names a real parameter, not a placeholder`);
        }
      }
      const ids = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => op.operationId ?? `(none on ${method} ${path})`));
      assert.ok(ids.every((id) => /^[a-z][A-Za-z]+$/.test(id)), `every operation has an operationId: ${ids.join(', ')}`);
      assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], 'operationIds are unique');
    } finally {
      await t.cleanup();
    }
  });

  it('when a statistics endpoint answers, then the document lists its exact parameter and the Server-Timing header it sent', async () => {
    const t = await createTestApp();
    try {
      type Operation = { parameters: Array<{ name: string }>; responses: Record<string, { headers?: Record<string, { schema: { pattern: string } }> }> };
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, { get: Operation }> };
      for (const [path, query] of [['/api/stats/summary', ''], ['/api/stats/timeseries', ''], ['/api/stats/breakdown', 'by=outcome&']] as const) {
        const op = doc.paths[path]?.get;
        assert.ok(op, path);
        assert.ok(op.parameters.some((p) => p.name === 'exact'), `${path} documents exact`);
        const header = op.responses['200']?.headers?.['Server-Timing'];
        assert.ok(header, `${path} documents Server-Timing`);
        for (const exact of ['true', 'false']) {
          const res = await t.app.inject({ url: `${path}?${query}exact=${exact}` });
          assert.equal(res.statusCode, 200, `${path} exact=${exact}`);
          assert.match(String(res.headers['server-timing']), new RegExp(header.schema.pattern), `${path} sends the documented Server-Timing`);
        }
      }
    } finally {
      await t.cleanup();
    }
  });

  it('when the app serves an API, callback or operations route, then the document describes it with that method', async () => {
    const t = await createTestApp();
    try {
      await t.app.ready();
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
      const served = registeredRoutes(t.app).filter((r) => /^\/(api\/|callbacks\/|healthz$|readyz$|metrics$)/.test(r.path) && !r.path.startsWith('/api/docs/'));
      assert.ok(served.some((r) => r.path === '/api/calls/:sid'), 'the route tree was read');
      for (const route of served) {
        const documented = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')];
        assert.ok(documented, `${route.path} is in /api/openapi.json`);
        for (const method of route.methods) assert.ok(documented[method.toLowerCase()], `${method} ${route.path} is documented`);
      }
    } finally {
      await t.cleanup();
    }
  });
});

describe('the document and CALLBACK_SECRET', () => {
  it('when the callback path holds the secret, then the document shows the public path, with neither the secret nor a secret parameter, and no POST body required', async () => {
    const t = await createTestApp({ CALLBACK_SECRET: 'a-callback-secret-of-24c' });
    try {
      const res = await t.app.inject({ url: '/api/openapi.json' });
      assert.doesNotMatch(res.body, /a-callback-secret-of-24c|:secret|\{secret\}\/call-event"/);
      type Operation = { parameters: Array<{ name: string }>; requestBody?: { required?: boolean } };
      const doc = res.json() as { paths: Record<string, Record<string, Operation>> };
      const callback = doc.paths['/callbacks/call-event'];
      assert.ok(callback?.get && callback.post, Object.keys(doc.paths).join(', '));
      assert.ok(!callback.get.parameters.some((p) => p.name === 'secret'));
      assert.ok(callback.post.requestBody && callback.post.requestBody.required !== true, 'the fields may all come in the query');
    } finally {
      await t.cleanup();
    }
  });
});

describe('the document and the API token', () => {
  it('when API_TOKEN is set, then every operation the document secures answers 401 without the token and documents that 401, and the others never answer 401', async () => {
    const t = await createTestApp({ API_TOKEN: 'a-token-of-16-chars-or-more' });
    try {
      type Operation = { security?: unknown[]; responses: Record<string, unknown> };
      const doc = (await t.app.inject({ url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
      const secured: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const url = path.replace('{sid}', '6364e8b3-bdac-436e-9631-0bce2498ce0c');
          const res = await t.app.inject({ method: method.toUpperCase() as 'GET' | 'POST', url });
          if (op.security?.length === 0) {
            assert.notEqual(res.statusCode, 401, `${method} ${path} is documented as open`);
            continue;
          }
          secured.push(path);
          assert.equal(res.statusCode, 401, `${method} ${path} is documented as needing the token`);
          assert.ok(op.responses['401'], `${method} ${path} documents its 401`);
        }
      }
      assert.ok(secured.includes('/metrics') && secured.includes('/api/calls'), `secured: ${secured.join(', ')}`);
    } finally {
      await t.cleanup();
    }
  });
});

describe('GET /api/docs', () => {
  it('when the page is asked, then it and every file it loads come from this server (no CDN), byte for byte from swagger-ui-dist', async () => {
    const t = await createTestApp({ API_TOKEN: 'a-token-of-16-chars-or-more' });
    try {
      const page = await t.app.inject({ url: '/api/docs' });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      assert.doesNotMatch(page.body, /(https?:)?\/\/[a-z]/i, 'no absolute or protocol-relative URL');
      const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      assert.ok(assets.length >= 3);
      const packageDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      for (const asset of assets) {
        const res = await t.app.inject({ url: asset });
        assert.equal(res.statusCode, 200, asset);
        const file = asset.slice('/api/docs/'.length);
        if (file !== 'init.js') assert.ok(res.rawPayload.equals(readFileSync(join(packageDir, file))), `${asset} is the package's file`);
      }
      assert.match((await t.app.inject({ url: '/api/docs/init.js' })).body, /\/api\/openapi\.json/);
      assert.equal((await t.app.inject({ url: '/api/docs/package.json' })).statusCode, 404, 'only the listed files are served');
      assert.equal((await t.app.inject({ url: '/api/docs/..%2F..%2Fpackage.json' })).statusCode, 404);
    } finally {
      await t.cleanup();
    }
  });
});

describe('docs/api.md', () => {
  it('when an error code exists in ERROR_STATUS, then docs/api.md documents it with its status', () => {
    const doc = repoFile('docs/api.md');
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      assert.match(doc, new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`), `${code} (${status}) is in the error table of docs/api.md`);
    }
  });
});
