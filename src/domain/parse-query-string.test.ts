import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_KEY_CHARS, decodeQueryString } from './parse-query-string.js';

describe('decodeQueryString', () => {
  it('when keys and values are percent-encoded, then they are decoded', () => {
    const { values, problems } = decodeQueryString('a=1&b=x%20y&c=%E3%81%82&d%5F1=%2B');
    assert.deepEqual(problems, []);
    assert.deepEqual([...values], [['a', '1'], ['b', 'x y'], ['c', 'あ'], ['d_1', '+']]);
  });

  it("when a value holds '+', then it is read as a space (form encoding)", () => {
    assert.equal(decodeQueryString('rel_code_str=NO+ANSWER').values.get('rel_code_str'), 'NO ANSWER');
  });

  it('when a key has no "=", then its value is empty', () => {
    assert.equal(decodeQueryString('flag&a=1').values.get('flag'), '');
  });

  it('when the string is empty or holds empty parts, then nothing is decoded and nothing is wrong', () => {
    assert.deepEqual(decodeQueryString(''), { values: new Map(), problems: [] });
    assert.deepEqual([...decodeQueryString('&&a=1&&').values], [['a', '1']]);
  });

  it('when a value has bad percent-encoding, then that key is reported and the others are still decoded', () => {
    for (const bad of ['%', '%2', '%zz', '100%']) {
      const { values, problems } = decodeQueryString(`a=1&sid=${bad}&b=2`);
      assert.deepEqual(problems, [{ field: 'sid', problem: 'value has invalid percent-encoding' }], bad);
      assert.deepEqual([...values], [['a', '1'], ['b', '2']]);
    }
  });

  it('when a value is invalid UTF-8 (%FF, a truncated sequence, an encoded surrogate), then it is reported', () => {
    for (const bad of ['%FF', '%E3%81', '%C0%AF', '%ED%A0%80']) {
      const { values, problems } = decodeQueryString(`type=${bad}`);
      assert.deepEqual(problems, [{ field: 'type', problem: 'value has invalid percent-encoding' }], bad);
      assert.equal(values.size, 0);
    }
  });

  it('when a key has bad percent-encoding, then the raw key is reported', () => {
    const { values, problems } = decodeQueryString('%FFkey=1');
    assert.deepEqual(problems, [{ field: '%FFkey', problem: 'key has invalid percent-encoding' }]);
    assert.equal(values.size, 0);
  });

  it('when a key is repeated, then it is reported and the first value is kept', () => {
    const { values, problems } = decodeQueryString('sid=a&type=V&sid=b');
    assert.deepEqual(problems, [{ field: 'sid', problem: 'is given more than once' }]);
    assert.equal(values.get('sid'), 'a');
  });

  it('when a key is repeated with the same value, then it is still reported', () => {
    assert.equal(decodeQueryString('a=1&a=1').problems.length, 1);
  });

  it(`when a key is longer than ${MAX_KEY_CHARS} characters, then it is reported truncated`, () => {
    const key = 'k'.repeat(MAX_KEY_CHARS + 10);
    const { values, problems } = decodeQueryString(`${key}=1`);
    assert.equal(values.size, 0);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.field, `${'k'.repeat(MAX_KEY_CHARS)}…`);
    assert.match(problems[0]?.problem ?? '', /longer than 64/);
  });

  it('when a value decodes to a NUL character, then it is passed on for the parser to judge', () => {
    assert.equal(decodeQueryString('a=%00').values.get('a'), '\u0000');
  });

  it('when a key is "__proto__", then it is an ordinary key', () => {
    assert.equal(decodeQueryString('__proto__=x').values.get('__proto__'), 'x');
  });
});
