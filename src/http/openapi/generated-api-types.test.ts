import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createTestApp } from '../../../test/fixtures/test-app.js';
import { GENERATED_API_TYPES_FILE, generateApiTypes } from './generate-api-types.js';

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package root above ${fileURLToPath(import.meta.url)}`);
    dir = dirname(dir);
  }
  return dir;
}

describe(GENERATED_API_TYPES_FILE, () => {
  it('when the types are generated again from the served document, then they equal the committed file (else run npm run generate:api-types)', async () => {
    const t = await createTestApp();
    try {
      const document = (await t.app.inject({ url: '/api/openapi.json' })).json() as object;
      const committed = readFileSync(join(packageRoot(), GENERATED_API_TYPES_FILE), 'utf8');
      assert.ok(committed === (await generateApiTypes(document)), `${GENERATED_API_TYPES_FILE} is stale: run \`npm run generate:api-types\` and commit it`);
    } finally {
      await t.cleanup();
    }
  });
});
