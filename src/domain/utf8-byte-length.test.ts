import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { utf8ByteLength } from './utf8-byte-length.js';

const utf8 = new TextEncoder();

describe('utf8ByteLength', () => {
  it('when given any string, including lone surrogates, then it equals the length TextEncoder writes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => utf8ByteLength(text) === utf8.encode(text).length),
      { numRuns: 2_000 },
    );
  });

  it('when given one character of each UTF-8 length, then it counts 1, 2, 3 and 4 bytes', () => {
    assert.deepEqual(['a', 'é', '€', '😀', '\ud800'].map(utf8ByteLength), [1, 2, 3, 4, 3]);
  });
});
