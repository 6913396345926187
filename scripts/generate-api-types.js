#!/usr/bin/env node
// Writes the client types (src/http/openapi/generated/api.ts) from the OpenAPI document the
// server serves. Run it through `npm run generate:api-types`, which compiles first.
import { writeFileSync } from 'node:fs';

const { createTestApp } = await import('../dist/test/fixtures/test-app.js');
const { generateApiTypes, GENERATED_API_TYPES_FILE } = await import('../dist/src/http/openapi/generate-api-types.js');

const t = await createTestApp();
try {
  const document = (await t.app.inject({ url: '/api/openapi.json' })).json();
  writeFileSync(GENERATED_API_TYPES_FILE, await generateApiTypes(document));
  console.log(`wrote ${GENERATED_API_TYPES_FILE}`);
} finally {
  await t.cleanup();
}
