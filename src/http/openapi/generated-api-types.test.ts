import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../test/fixtures/repo-root.js';
import { createTestApp } from '../../../test/fixtures/test-app.js';
import { GENERATED_API_TYPES_FILE, generateApiTypes } from './generate-api-types.js';

describe(GENERATED_API_TYPES_FILE, () => {
  it('when the types are generated again from the served document, then they equal the committed file (else run npm run generate:api-types)', async () => {
    const t = await createTestApp();
    try {
      const document = (await t.app.inject({ url: '/api/openapi.json' })).json() as object;
      const committed = readFileSync(join(repoRoot(), GENERATED_API_TYPES_FILE), 'utf8');
      assert.ok(committed === (await generateApiTypes(document)), `${GENERATED_API_TYPES_FILE} is stale: run \`npm run generate:api-types\` and commit it`);
    } finally {
      await t.cleanup();
    }
  });
});
