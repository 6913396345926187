import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { groupCallValuesOf, legacyGroupCallValuesOf } from '../../test/fixtures/group-call-fixture.js';
import { canonicalizeGroupCallEvent } from './canonical-group-call-event.js';
import { GROUP_CALL_EVENT_FIELDS, GROUP_CALL_FIELDS, type GroupCallEvent, type GroupFieldSpec, KNOWN_UE_TYPES, LEGACY_MEDIA_TYPE_KEY } from './group-call-event.js';
import { MAX_EPOCH_MS, MIN_EPOCH_MS, MIN_EPOCH_SECONDS, parseGroupCallEvent } from './parse-group-call-event.js';
import { decodeQueryString } from './parse-query-string.js';

/** Bounded runs: the suite stays fast and deterministic in time. */
const RUNS = { numRuns: 200 };
const KNOWN: ReadonlySet<string> = new Set([...GROUP_CALL_EVENT_FIELDS, LEGACY_MEDIA_TYPE_KEY]);
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_SECONDS = Math.floor(MAX_EPOCH_MS / 1000);

const printable = (maxLength: number) =>
  fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => !CONTROL.test(s) && new TextEncoder().encode(s).length <= 256);
const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

/** Any stored value of a field's kind that the parser must accept and give back as is. */
function fieldValue(field: GroupFieldSpec): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'group-sid':
      return hex32;
    case 'id':
      return printable(30);
    case 'call-type':
      return fc.constantFrom('A', 'V');
    case 'epoch-seconds':
      return fc.oneof(fc.constant(0), fc.integer({ min: MIN_EPOCH_SECONDS, max: MAX_SECONDS }), fc.integer({ min: MIN_EPOCH_SECONDS, max: 4_102_444_800 }));
    case 'epoch-ms':
      return fc.oneof(fc.integer({ min: MIN_EPOCH_MS, max: MAX_EPOCH_MS }), fc.integer({ min: MIN_EPOCH_MS, max: 4_102_444_800_000 }));
    case 'room-status':
      return fc.constantFrom('S', 'C', 'E');
    case 'participant-status':
      return fc.constantFrom('C', 'D', 'T', 'M');
    case 'ue-type':
      return fc.oneof(fc.constantFrom(...KNOWN_UE_TYPES), fc.stringMatching(/^[A-Za-z0-9_]{1,32}$/));
    case 'integer':
      return fc.integer({ min: field.min ?? -(2 ** 31), max: field.max ?? 2 ** 31 - 1 });
    case 'text': {
      const text = field.lineBreaks === true ? fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }).filter((s) => !s.includes('\u0000')) : printable(20);
      return text.filter((s) => new TextEncoder().encode(s).length <= (field.maxBytes ?? 4095));
    }
  }
}

/** Any event the parser must accept, in stored units; optional fields sometimes absent. */
const validEvent = fc
  .record({
    ...Object.fromEntries(GROUP_CALL_FIELDS.map((f) => [f.name, f.required ? fieldValue(f) : fc.option(fieldValue(f), { nil: null })])),
    extra: fc
      .dictionary(fc.string({ maxLength: 20 }).filter((k) => !KNOWN.has(k)), fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !s.includes('\u0000')), { maxKeys: 4 })
      .map((d) => Object.fromEntries(Object.entries(d))),
  })
  .map((event) => ({ ...event }) as unknown as GroupCallEvent);

describe('parseGroupCallEvent properties', () => {
  it('when it gets any map of strings, then it never throws and a refusal names fields', () => {
    const anyKey = fc.oneof(fc.constantFrom(...KNOWN), fc.string({ maxLength: 10 }));
    const anyValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer().map(String), fc.constant(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(anyKey, anyValue), { maxLength: 30 }), (pairs) => {
        const parsed = parseGroupCallEvent(new Map(pairs));
        if (!parsed.ok) {
          assert.ok(parsed.problems.length > 0);
          for (const p of parsed.problems) assert.ok(KNOWN.has(p.field) || pairs.some(([k]) => k === p.field), p.field);
        }
      }),
      RUNS,
    );
  });

  it('when a valid event is written as a query string and parsed, then the same event comes back', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const decoded = decodeQueryString(new URLSearchParams(groupCallValuesOf(event)).toString());
        assert.deepEqual(decoded.problems, []);
        const parsed = parseGroupCallEvent(decoded.values);
        if (!parsed.ok) assert.fail(JSON.stringify(parsed.problems));
        assert.deepEqual(parsed.value, event);
      }),
      RUNS,
    );
  });

  it('when a valid event is sent in the 2020 shape (milliseconds, mediaType), then the same event and canonical form come back', () => {
    fc.assert(
      fc.property(validEvent, fc.integer({ min: 0, max: 999 }), (event, extraMs) => {
        const parsed = parseGroupCallEvent(new Map(Object.entries(legacyGroupCallValuesOf(event, extraMs))));
        if (!parsed.ok) assert.fail(JSON.stringify(parsed.problems));
        assert.deepEqual(parsed.value, event);
        assert.equal(canonicalizeGroupCallEvent(parsed.value), canonicalizeGroupCallEvent(event));
      }),
      RUNS,
    );
  });

  it('when two valid events differ in any field, then their canonical forms differ', () => {
    fc.assert(
      fc.property(validEvent, validEvent, (a, b) => {
        fc.pre(JSON.stringify(Object.entries(groupCallValuesOf(a)).sort()) !== JSON.stringify(Object.entries(groupCallValuesOf(b)).sort()));
        assert.notEqual(canonicalizeGroupCallEvent(a), canonicalizeGroupCallEvent(b));
      }),
      RUNS,
    );
  });
});
