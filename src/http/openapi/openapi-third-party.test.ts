import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { createTestApp } from '../../../test/fixtures/test-app.js';

/**
 * The warnings of Redocly's recommended rules that stay, each with why. `operation-4xx-response`
 * wants a 4xx on every operation, but these four need no token and take no input, so no 4xx
 * can answer them; documenting one would be false.
 */
const ACCEPTED_WARNINGS = [
  'operation-4xx-response #/paths/~1healthz/get/responses',
  'operation-4xx-response #/paths/~1readyz/get/responses',
  'operation-4xx-response #/paths/~1api~1openapi.json/get/responses',
  'operation-4xx-response #/paths/~1api~1docs/get/responses',
];

/** The document exactly as callevt serves it. */
async function servedDocument(): Promise<string> {
  const t = await createTestApp();
  try {
    const res = await t.app.inject({ url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    return res.body;
  } finally {
    await t.cleanup();
  }
}

describe('GET /api/openapi.json, as third-party tools read it', () => {
  it('when Redocly lints it with its recommended rules (as `redocly lint` does), then it finds no error and no warning but the accepted ones', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: await servedDocument(), absoluteRef: '/api/openapi.json', config });
    const found = problems.map((p) => `${p.severity} ${p.ruleId} ${p.location.map((l) => l.pointer).join(' ')}: ${p.message}`);
    assert.deepEqual(found.filter((f) => f.startsWith('error')), [], 'no errors');
    assert.deepEqual(found.filter((f) => f.includes('operationId')), [], 'no operationId findings');
    const warnings = problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} ${p.location.map((l) => l.pointer).join(' ')}`);
    assert.deepEqual(warnings.sort(), [...ACCEPTED_WARNINGS].sort(), `warnings:\n${found.join('\n')}`);
  });

  it('when @apidevtools/swagger-parser validates it, then it is a valid OpenAPI 3.1 document', async () => {
    const doc = JSON.parse(await servedDocument());
    assert.match(doc.openapi, /^3\.1\./);
    await assert.doesNotReject(SwaggerParser.validate(doc));
  });
});
