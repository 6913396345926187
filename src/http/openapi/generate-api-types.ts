import openapiTS, { type OpenAPI3 } from 'openapi-typescript';

/** Where the generated client types live, relative to the package root (committed; a test checks it is current). */
export const GENERATED_API_TYPES_FILE = 'src/http/openapi/generated/api.ts';

type Document = { components: { schemas: Record<string, { properties?: Record<string, { enum?: unknown[] }> }> } };

/** The enum values of one property of one component schema, as the document lists them. */
function enumOf(document: Document, schema: string, property: string): unknown[] {
  const values = document.components.schemas[schema]?.properties?.[property]?.enum;
  if (values === undefined) throw new Error(`the document has no enum at ${schema}.${property}`);
  return values;
}

const list = (values: readonly unknown[]): string => `[${values.map((v) => JSON.stringify(v)).join(', ')}] as const`;

/**
 * The TypeScript the dashboard and the CLI read the API with, generated from the served
 * OpenAPI document: openapi-typescript's `paths`, `components` and `operations`, two
 * shorthands, and the few lists of values the clients show (in the document's order).
 * A dev-time tool (openapi-typescript is a dev dependency): the server never imports it.
 */
export async function generateApiTypes(document: object): Promise<string> {
  const doc = document as Document;
  const types = await openapiTS(document as OpenAPI3, { exportType: false });
  const fields = Object.keys(doc.components.schemas.CallEvent?.properties ?? {});
  return `${types.trimEnd()}

/* Below: generated from the same document by src/http/openapi/generate-api-types.ts (npm run generate:api-types). */

/** A component schema of the API, by name. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** The JSON an operation answers with 200, by operationId. */
export type Answer<Id extends keyof operations> = operations[Id] extends { responses: { 200: { content: { "application/json": infer T } } } } ? T : never;

/** The LINE Planet field names of a call, in the spec's order (the CallEvent schema's properties). */
export const CALL_EVENT_FIELDS = ${list(fields)};

/** Every call outcome (CallStatus.outcome). */
export const OUTCOMES = ${list(enumOf(doc, 'CallStatus', 'outcome'))};

/** Every value of ended_by (CallStatus.ended_by). */
export const ENDED_BY = ${list(enumOf(doc, 'CallStatus', 'ended_by'))};
`;
}
