import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALL_FIELDS, type CallFieldSpec } from '../../domain/call-event.js';
import { OPENAPI_SCHEMAS, type Schema } from './openapi-schemas.js';

/** The JSON types a schema allows (`type` as a string or a list). */
function typesOf(schema: Schema | undefined): string[] {
  const type = schema?.type;
  return Array.isArray(type) ? type.map(String) : [String(type)];
}

describe('the API schemas of a call follow CALL_FIELDS', () => {
  const fields = CALL_FIELDS as readonly CallFieldSpec[];
  const call = OPENAPI_SCHEMAS.Call as { properties: Record<string, Schema>; required: string[] };
  const event = OPENAPI_SCHEMAS.CallEvent as { properties: Record<string, Schema>; required: string[] };

  it('when a field is optional, then the Call answer allows null for it, and only then', () => {
    for (const field of fields) {
      assert.equal(typesOf(call.properties[field.name]).includes('null'), !field.required, field.name);
      assert.ok(call.required.includes(field.name), `${field.name} is always present in a Call`);
    }
  });

  it('when a field is a number in the definition, then the schemas say integer, with its bounds', () => {
    for (const field of fields) {
      const numeric = ['unix-seconds', 'seconds', 'integer'].includes(field.kind);
      assert.equal(typesOf(call.properties[field.name]).includes('integer'), numeric, field.name);
      if (field.min !== undefined) assert.equal(call.properties[field.name]?.minimum, field.min, field.name);
      if (field.max !== undefined) assert.equal(call.properties[field.name]?.maximum, field.max, field.name);
    }
  });

  it('when LINE Planet sends a Call Event, then exactly the required fields are required and the optional ones may be left out', () => {
    assert.deepEqual(new Set(event.required), new Set(fields.filter((f) => f.required).map((f) => f.name)));
    for (const field of fields) assert.ok(event.properties[field.name] !== undefined, field.name);
  });
});
