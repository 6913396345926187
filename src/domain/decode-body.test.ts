import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBody, isSupportedBodyType } from './decode-body.js';

describe('decodeBody', () => {
  it('when the body is a form, then it is decoded like a query string', () => {
    const { values, problems } = decodeBody('sid=a&rel_code_str=NO+ANSWER', 'application/x-www-form-urlencoded; charset=UTF-8');
    assert.deepEqual(problems, []);
    assert.equal(values.get('rel_code_str'), 'NO ANSWER');
  });

  it('when the body is JSON with strings, integers and nulls, then numbers become text and nulls are left out', () => {
    const { values, problems } = decodeBody('{"sid":"a","duration":120,"stid":null}', 'application/json');
    assert.deepEqual(problems, []);
    assert.deepEqual([...values], [['sid', 'a'], ['duration', '120']]);
  });

  it('when the content type is a +json type, then it is read as JSON', () => {
    assert.equal(decodeBody('{"a":"b"}', 'application/vnd.callback+json').values.get('a'), 'b');
  });

  it('when a JSON value is an object, array, boolean or non-finite, then that key is reported', () => {
    const { problems } = decodeBody('{"a":{},"b":[1],"c":true}', 'application/json');
    assert.deepEqual(problems.map((p) => p.field), ['a', 'b', 'c']);
  });

  it('when a JSON string holds a lone surrogate, then that key is reported (it cannot be stored as UTF-8)', () => {
    const { values, problems } = decodeBody('{"releaser":"a\\ud800b","ok":"\\ud83d\\ude00"}', 'application/json');
    assert.deepEqual(problems, [{ field: 'releaser', problem: 'is not valid Unicode' }]);
    assert.equal(values.get('ok'), '😀');
  });

  it('when a JSON key is longer than 64 characters, then it is reported truncated', () => {
    const { problems } = decodeBody(JSON.stringify({ ['k'.repeat(70)]: 'v' }), 'application/json');
    assert.equal(problems[0]?.field, `${'k'.repeat(64)}…`);
  });

  it('when a JSON key is "__proto__", then it is kept as an ordinary key', () => {
    assert.equal(decodeBody('{"__proto__":"x"}', 'application/json').values.get('__proto__'), 'x');
  });

  it('when the body is not JSON or not an object, then the body is reported', () => {
    assert.deepEqual(decodeBody('{', 'application/json').problems, [{ field: 'body', problem: 'is not valid JSON' }]);
    assert.deepEqual(decodeBody('"text"', 'application/json').problems, [{ field: 'body', problem: 'must be a JSON object' }]);
  });

  it('when the content type is neither form nor JSON, then a non-empty body is reported and an empty one ignored', () => {
    assert.match(decodeBody('a=1', 'text/plain').problems[0]?.problem ?? '', /not a form or JSON/);
    assert.deepEqual(decodeBody('', null), { values: new Map(), problems: [] });
    assert.equal(isSupportedBodyType('text/plain'), false);
    assert.equal(isSupportedBodyType('Application/JSON; charset=utf-8'), true);
  });
});
