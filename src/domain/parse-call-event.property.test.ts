import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CallEvent, CallFieldSpec } from './call-event.js';
import { CALL_EVENT_FIELDS, CALL_FIELDS } from './call-event.js';
import { canonicalizeEvent } from './canonical-event.js';
import { MAX_DURATION_SEC, MAX_EXTRA_VALUE_BYTES, MAX_UNIX_SECONDS, parseCallEvent } from './parse-call-event.js';
import { decodeQueryString } from './parse-query-string.js';

/** Bounded runs: the suite stays fast and deterministic in time. */
const RUNS = { numRuns: 300 };
const KNOWN: ReadonlySet<string> = new Set(CALL_EVENT_FIELDS);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Text that looks like a query string: separators, percent signs and arbitrary code units. */
const queryLike = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.oneof(fc.constantFrom('%', '%F', '%FF', '%E3%81', '%41', '=', '&', '+', 'sid', 'type', '\u0000', '\ud800'), fc.string({ maxLength: 5 })), { maxLength: 40 }).map((parts) => parts.join('')),
);

const printable = (maxLength: number) =>
  fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => !CONTROL.test(s) && new TextEncoder().encode(s).length <= 256);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const code = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });
const ipv4 = fc.ipV4();
const ip = fc.oneof(ipv4, fc.ipV6());

/** Any value of a field's kind that the parser must accept. */
function fieldValue(field: CallFieldSpec): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'sid':
      return fc.uuid();
    case 'id':
      return printable(30);
    case 'call-type':
      return fc.constantFrom('A' as const, 'V' as const);
    case 'unix-seconds':
      return fc.integer({ min: 0, max: MAX_UNIX_SECONDS });
    case 'seconds':
      return fc.integer({ min: 0, max: MAX_DURATION_SEC });
    case 'ip':
      return ip;
    case 'integer':
      return field.min === undefined || field.max === undefined ? code : fc.integer({ min: field.min, max: field.max });
    case 'text': {
      const text = field.lineBreaks === true ? fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }).filter((s) => !s.includes('\u0000')) : printable(20);
      return text.filter((s) => new TextEncoder().encode(s).length <= (field.maxBytes ?? MAX_EXTRA_VALUE_BYTES));
    }
  }
}

/** Any event the parser must accept: each field of CALL_FIELDS by its kind, optional ones sometimes absent. */
const validEvent = fc.record({
  ...Object.fromEntries(CALL_FIELDS.map((field) => [field.name, field.required ? fieldValue(field) : optional(fieldValue(field))])),
  extra: fc
    .dictionary(fc.string({ maxLength: 64 }).filter((k) => !KNOWN.has(k)), fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !s.includes('\u0000')), { maxKeys: 5 })
    .map((d) => Object.fromEntries(Object.entries(d))),
}).map((event) => ({ ...event }) as unknown as CallEvent); // fast-check builds null-prototype records; the parser builds plain ones

/** The keys LINE Planet would send for an event (null fields are left out). */
function entriesOf(event: CallEvent): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  for (const field of CALL_EVENT_FIELDS) {
    const value = event[field];
    if (value !== null) entries.push([field, String(value)]);
  }
  return [...entries, ...Object.entries(event.extra)];
}

describe('parser properties', () => {
  it('when decodeQueryString gets any string, then it never throws and reports what it cannot read', () => {
    fc.assert(
      fc.property(queryLike, (raw) => {
        const { values, problems } = decodeQueryString(raw);
        assert.ok(values instanceof Map);
        assert.ok(Array.isArray(problems));
      }),
      RUNS,
    );
  });

  it('when parseCallEvent gets any map of strings, then it never throws and a refusal names fields', () => {
    const anyKey = fc.oneof(fc.constantFrom(...CALL_EVENT_FIELDS), fc.string({ maxLength: 10 }));
    const anyValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer().map(String), fc.constant(''));
    fc.assert(
      fc.property(fc.array(fc.tuple(anyKey, anyValue), { maxLength: 30 }), (pairs) => {
        const result = parseCallEvent(new Map(pairs));
        if (!result.ok) {
          assert.ok(result.problems.length > 0);
          for (const p of result.problems) assert.equal(typeof p.field, 'string');
        }
      }),
      RUNS,
    );
  });

  it('when parsing a query string built from arbitrary text, then the whole path never throws', () => {
    fc.assert(fc.property(queryLike, (raw) => void parseCallEvent(decodeQueryString(raw).values)), RUNS);
  });

  it('when a valid event is written as a query string and parsed, then the same event comes back', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const query = new URLSearchParams(entriesOf(event)).toString();
        const decoded = decodeQueryString(query);
        assert.deepEqual(decoded.problems, []);
        const result = parseCallEvent(decoded.values);
        if (!result.ok) assert.fail(JSON.stringify(result.problems));
        assert.deepEqual(result.event, event);
      }),
      RUNS,
    );
  });

  it('when the same keys arrive in another order, then the canonical form is the same', () => {
    fc.assert(
      fc.property(
        validEvent.chain((event) => fc.tuple(fc.constant(event), fc.shuffledSubarray(entriesOf(event), { minLength: entriesOf(event).length }))),
        ([event, shuffled]) => {
          const inOrder = parseCallEvent(new Map(entriesOf(event)));
          const reordered = parseCallEvent(new Map(shuffled));
          assert.ok(inOrder.ok && reordered.ok);
          assert.equal(canonicalizeEvent(reordered.event), canonicalizeEvent(inOrder.event));
        },
      ),
      RUNS,
    );
  });

  it('when two valid events differ in any field, then their canonical forms differ', () => {
    fc.assert(
      fc.property(validEvent, validEvent, (a, b) => {
        fc.pre(JSON.stringify(entriesOf(a).sort()) !== JSON.stringify(entriesOf(b).sort()));
        assert.notEqual(canonicalizeEvent(a), canonicalizeEvent(b));
      }),
      RUNS,
    );
  });
});
