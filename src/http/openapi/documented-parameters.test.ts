import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestApp } from '../../../test/fixtures/test-app.js';

type Operation = { parameters?: Array<{ name: string; in: string }> };
type Document = { paths: Record<string, Record<string, Operation>> };

/** A query every parser accepts, so that each reads all its parameters. */
const BASE_QUERY: Record<string, string> = { '/api/stats/breakdown': 'by=outcome', '/api/stats/group/breakdown': 'by=media_type', '/api/lifecycle': 'state=end_missing' };

/** The read operations that take query parameters, with what the document lists for each. */
async function documentedQueries(url: string, inject: (url: string) => Promise<{ json(): unknown }>): Promise<Map<string, string[]>> {
  const doc = (await inject(url)).json() as Document;
  const out = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/')) continue;
    const names = (ops.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    if (names.length > 0) out.set(path, names);
  }
  return out;
}

describe('the documented query parameters and the parsed ones', () => {
  it('when a read endpoint answers, then every query parameter it reads is in its documented parameters', async () => {
    const t = await createTestApp();
    try {
      const read = new Set<string>();
      // Our parsers judge the query (the schemas only document it): record what they read.
      t.app.addHook('preHandler', async (request) => {
        const query = request.query as Record<string, unknown>;
        request.query = new Proxy(query, {
          get(target, key, receiver) {
            if (typeof key === 'string') read.add(key);
            return Reflect.get(target, key, receiver);
          },
        });
      });
      const documented = await documentedQueries('/api/openapi.json', (url) => t.app.inject({ url }));
      assert.ok(documented.size >= 6, `operations with query parameters: ${[...documented.keys()].join(', ')}`);
      for (const [path, names] of documented) {
        read.clear();
        const res = await t.app.inject({ url: `${path}?${BASE_QUERY[path] ?? ''}` });
        assert.equal(res.statusCode, 200, `${path}: ${res.body}`);
        assert.ok(read.size > 0, `${path} reads its query`);
        assert.deepEqual([...read].filter((name) => !names.includes(name)), [], `${path} reads only documented parameters`);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('when a documented query parameter has a bad value, then the endpoint answers 400 invalid_parameter naming it (it is parsed)', async () => {
    const t = await createTestApp();
    try {
      const documented = await documentedQueries('/api/openapi.json', (url) => t.app.inject({ url }));
      for (const [path, names] of documented) {
        for (const name of names) {
          // Two different values: every single-valued parameter refuses that; outcome takes several, but only known ones.
          const bad = name === 'outcome' ? 'outcome=bogus' : `${name}=1&${name}=2`;
          const base = name === 'by' ? '' : BASE_QUERY[path];
          const res = await t.app.inject({ url: `${path}?${base === undefined || base === '' ? '' : `${base}&`}${bad}` });
          assert.equal(res.statusCode, 400, `${path} ${name}: ${res.body}`);
          const body = res.json() as { error: { code: string; details: Array<{ field: string }> } };
          assert.equal(body.error.code, 'invalid_parameter');
          assert.ok(body.error.details.some((d) => d.field === name), `${path} names ${name}: ${res.body}`);
        }
      }
    } finally {
      await t.cleanup();
    }
  });
});
