import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plural } from './plural.js';

describe('plural', () => {
  it('when the count is one, then the noun is singular; otherwise plural, with an irregular plural when given', () => {
    assert.equal(plural(1, 'call'), '1 call');
    assert.equal(plural(0, 'call'), '0 calls');
    assert.equal(plural(5000, 'call'), '5000 calls');
    assert.equal(plural(1, 'retry', 'retries'), '1 retry');
    assert.equal(plural(2, 'retry', 'retries'), '2 retries');
  });
});
