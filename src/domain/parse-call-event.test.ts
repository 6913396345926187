import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SEED_EXAMPLE_QUERY, validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import type { FieldProblem } from './call-event.js';
import { MAX_APP_DATA_BYTES, MAX_DURATION_SEC, MAX_EXTRA_VALUE_BYTES, MAX_ID_BYTES, parseCallEvent } from './parse-call-event.js';
import { decodeQueryString } from './parse-query-string.js';

function parse(overrides: Record<string, string | undefined> = {}) {
  return parseCallEvent(new Map(Object.entries(validCallbackValues(overrides))));
}

/** The problems of a refused parse (fails the test when the parse succeeded). */
function problemsOf(overrides: Record<string, string | undefined>): FieldProblem[] {
  const result = parse(overrides);
  assert.equal(result.ok, false, `expected ${JSON.stringify(overrides)} to be refused`);
  return result.ok ? [] : result.problems;
}

function assertRefused(field: string, overrides: Record<string, string | undefined>, problem: RegExp): void {
  const problems = problemsOf(overrides);
  assert.deepEqual(problems.map((p) => p.field), [field]);
  assert.match(problems[0]?.problem ?? '', problem);
}

function eventOf(overrides: Record<string, string | undefined> = {}) {
  const result = parse(overrides);
  if (!result.ok) assert.fail(`expected acceptance, got ${JSON.stringify(result.problems)}`);
  return result.event;
}

describe('parseCallEvent: sid', () => {
  it('when the sid is a 36-character UUID in upper, lower or mixed case, then it is accepted in lower case', () => {
    assert.equal(eventOf({ sid: '6364E8B3-BDAC-436E-9631-0BCE2498CE0C' }).sid, '6364e8b3-bdac-436e-9631-0bce2498ce0c');
    assert.equal(eventOf({ sid: '6364e8b3-BDAC-436e-9631-0BCE2498ce0c' }).sid, '6364e8b3-bdac-436e-9631-0bce2498ce0c');
    assert.equal(eventOf({ sid: '6364e8b3-bdac-436e-9631-0bce2498ce0c' }).sid, '6364e8b3-bdac-436e-9631-0bce2498ce0c');
  });
  it('when the sid is 35 characters, then it is refused', () => {
    assertRefused('sid', { sid: '6364e8b3-bdac-436e-9631-0bce2498ce0' }, /36 characters/);
  });
  it('when the sid is 37 characters, then it is refused', () => {
    assertRefused('sid', { sid: '6364e8b3-bdac-436e-9631-0bce2498ce0c0' }, /36 characters/);
  });
  it('when the sid has a non-hex digit, then it is refused', () => {
    assertRefused('sid', { sid: '6364e8b3-bdac-436e-9631-0bce2498ce0g' }, /hex/);
  });
  it('when the sid is 32 hex digits without hyphens (a group call sid), then it is refused', () => {
    assertRefused('sid', { sid: '6364e8b3bdac436e96310bce2498ce0c' }, /8-4-4-4-12/);
  });
  it('when the sid is missing, then the problem says it is required', () => {
    assertRefused('sid', { sid: undefined }, /^is required$/);
  });
  it('when the sid is empty, then the problem says it must not be empty', () => {
    assertRefused('sid', { sid: '' }, /must not be empty/);
  });
});

describe('parseCallEvent: user and service ids', () => {
  it('when an id has dots, dashes and unicode, then it is accepted', () => {
    assert.equal(eventOf({ from_service_id: 'linecorp.com' }).from_service_id, 'linecorp.com');
    assert.equal(eventOf({ to_user_id: 'ユーザー-1_x' }).to_user_id, 'ユーザー-1_x');
  });
  it(`when an id is exactly ${MAX_ID_BYTES} bytes, then it is accepted`, () => {
    assert.equal(eventOf({ from_user_id: 'u'.repeat(MAX_ID_BYTES) }).from_user_id.length, MAX_ID_BYTES);
  });
  it(`when an id is ${MAX_ID_BYTES + 1} bytes, then it is refused`, () => {
    assertRefused('from_user_id', { from_user_id: 'u'.repeat(MAX_ID_BYTES + 1) }, /at most 256 bytes/);
  });
  it('when an id is short in characters but too long in UTF-8 bytes, then it is refused', () => {
    assertRefused('to_user_id', { to_user_id: 'あ'.repeat(86) }, /bytes/); // 258 bytes, 86 characters
  });
  it('when an id holds a control character, then it is refused', () => {
    assertRefused('to_service_id', { to_service_id: 'line\ncorp.com' }, /control characters/);
    assertRefused('from_user_id', { from_user_id: 'a\u007fb' }, /control characters/);
  });
  it('when an id holds a NUL character, then it is refused', () => {
    assertRefused('from_user_id', { from_user_id: 'a\u0000b' }, /control characters/);
  });
});

describe('parseCallEvent: type', () => {
  it("when the type is 'A' or 'V', then it is accepted", () => {
    assert.equal(eventOf({ type: 'A' }).type, 'A');
    assert.equal(eventOf({ type: 'V' }).type, 'V');
  });
  it('when the type is lower case or another letter, then it is refused', () => {
    assertRefused('type', { type: 'v' }, /'A'.*'V'/);
    assertRefused('type', { type: 'X' }, /'A'.*'V'/);
    assertRefused('type', { type: 'AV' }, /'A'.*'V'/);
  });
});

describe('parseCallEvent: times', () => {
  it('when times are Unix seconds, then they become numbers', () => {
    const event = eventOf({ setup_time: '1582527420', start_time: '0', end_time: '1582527434' });
    assert.equal(event.setup_time, 1582527420);
    assert.equal(event.start_time, 0);
    assert.equal(event.end_time, 1582527434);
  });
  it('when a time is negative, then it is refused', () => {
    assertRefused('setup_time', { setup_time: '-1' }, /negative/);
  });
  it('when a time is "-0", then it is read as plain 0', () => {
    assert.ok(Object.is(eventOf({ start_time: '-0' }).start_time, 0));
  });
  it('when a time is not an integer, then it is refused', () => {
    for (const bad of ['1.5', '1e9', '0x10', ' 1', '1 ', '+1', '01', 'abc', '１２']) {
      assertRefused('end_time', { end_time: bad }, /whole number/);
    }
  });
  it('when a time is in milliseconds, then it is refused as too large for seconds', () => {
    assertRefused('setup_time', { setup_time: '1582527420000' }, /milliseconds/);
  });
  it('when a time has more digits than a safe integer, then it is refused', () => {
    assertRefused('start_time', { start_time: '99999999999999999999' }, /whole number/);
  });
});

describe('parseCallEvent: duration and billing_sec', () => {
  it(`when the duration is 0 or ${MAX_DURATION_SEC}, then it is accepted`, () => {
    assert.equal(eventOf({ duration: '0' }).duration, 0);
    assert.equal(eventOf({ duration: String(MAX_DURATION_SEC) }).duration, MAX_DURATION_SEC);
  });
  it('when the duration is above one year, then it is refused', () => {
    assertRefused('duration', { duration: String(MAX_DURATION_SEC + 1) }, /at most/);
  });
  it('when the duration is negative, then it is refused', () => {
    assertRefused('duration', { duration: '-5' }, /negative/);
  });
  it('when billing_sec is out of bounds, then it is refused like the duration', () => {
    assertRefused('billing_sec', { billing_sec: '-1' }, /negative/);
    assertRefused('billing_sec', { billing_sec: String(MAX_DURATION_SEC + 1) }, /at most/);
  });
});

describe('parseCallEvent: IP addresses', () => {
  it('when the addresses are IPv4 or IPv6 (compressed, full, IPv4-mapped), then they are accepted', () => {
    for (const ip of ['1.2.3.4', '255.255.255.255', '0.0.0.0', '::1', '::', '2001:db8::1', 'fe80:0:0:0:0:0:0:1', '::ffff:1.2.3.4', '1:2:3:4:5:6:7::']) {
      assert.equal(eventOf({ srcip: ip }).srcip, ip, ip);
    }
  });
  it('when an address is malformed, then it is refused', () => {
    for (const ip of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1::2::3', ':::', '1:2:3:4:5:6:7:8:9', 'gggg::1', '::ffff:1.2.3.999', 'fe80::1%eth0', 'localhost', '1.2.3.4 ']) {
      assertRefused('dstip', { dstip: ip }, /IPv4 or IPv6/);
    }
  });
});

describe('parseCallEvent: terminate and codes', () => {
  it('when terminate is one of the documented causes, then it is accepted', () => {
    for (const code of [16, 17, 18, 21, 77, 127]) assert.equal(eventOf({ terminate: String(code) }).terminate, code);
  });
  it('when terminate is outside 0..255, then it is refused', () => {
    assertRefused('terminate', { terminate: '256' }, /between 0 and 255/);
    assertRefused('terminate', { terminate: '-1' }, /between 0 and 255/);
  });
  it('when a code is not an integer, then it is refused', () => {
    assertRefused('rel_code', { rel_code: 'one' }, /integer/);
    assertRefused('disconnect_reason', { disconnect_reason: '1001.0' }, /integer/);
  });
  it('when a code is beyond 32 bits, then it is refused', () => {
    assertRefused('releaser_type', { releaser_type: '2147483648' }, /between/);
  });
  it('when a code is an undocumented number, then it is kept as is', () => {
    assert.equal(eventOf({ disconnect_reason: '4242' }).disconnect_reason, 4242);
  });
});

describe('parseCallEvent: optional fields', () => {
  it('when optional fields are empty, then they become null', () => {
    const event = eventOf({ stid: '', app_svr_data: '', billing_sec: '', disconnect_reason: '', releaser_type: '', call_end_reason: '', releaser: '', user_rel_code: '' });
    for (const field of ['stid', 'app_svr_data', 'billing_sec', 'disconnect_reason', 'releaser_type', 'call_end_reason', 'releaser', 'user_rel_code'] as const) {
      assert.equal(event[field], null, field);
    }
  });
  it('when optional fields are absent, then they become null', () => {
    const event = eventOf({ billing_sec: undefined, disconnect_reason: undefined, releaser_type: undefined });
    assert.equal(event.billing_sec, null);
    assert.equal(event.disconnect_reason, null);
    assert.equal(event.releaser_type, null);
  });
  it(`when app_svr_data is ${MAX_APP_DATA_BYTES} bytes with line breaks, then it is accepted; one more byte is refused`, () => {
    const data = `a\nb${'x'.repeat(MAX_APP_DATA_BYTES - 3)}`;
    assert.equal(eventOf({ app_svr_data: data }).app_svr_data, data);
    assertRefused('app_svr_data', { app_svr_data: `${data}x` }, /4095 bytes/);
  });
  it('when app data holds a NUL character, then it is refused', () => {
    assertRefused('stid', { stid: 'a\u0000b' }, /NUL/);
  });
  it('when user_rel_code is over 300 bytes, then it is refused', () => {
    assertRefused('user_rel_code', { user_rel_code: 'c'.repeat(301) }, /300 bytes/);
  });
  it('when releaser holds a line break, then it is refused', () => {
    assertRefused('releaser', { releaser: 'voip\nserver' }, /control/);
  });
  it('when a required field is empty, then it is refused as required', () => {
    assertRefused('rel_code_str', { rel_code_str: '' }, /required/);
  });
});

describe('parseCallEvent: field sets', () => {
  it('when the legacy (seed) field set arrives, then it parses with the newer fields null', () => {
    const result = parseCallEvent(decodeQueryString(SEED_EXAMPLE_QUERY).values);
    assert.ok(result.ok);
    assert.equal(result.event.call_end_reason, 1005);
    assert.equal(result.event.releaser, 'responder');
    assert.equal(result.event.stid, 'voip.next');
    assert.equal(result.event.disconnect_reason, null);
    assert.equal(result.event.releaser_type, null);
    assert.equal(result.event.billing_sec, null);
    assert.equal(result.event.app_svr_data, null);
  });
  it('when the current field set arrives, then the legacy fields are null', () => {
    const event = eventOf({ app_svr_data: 'ctx' });
    assert.equal(event.disconnect_reason, 1001);
    assert.equal(event.releaser_type, 2);
    assert.equal(event.billing_sec, 120);
    assert.equal(event.app_svr_data, 'ctx');
    assert.equal(event.call_end_reason, null);
    assert.equal(event.releaser, null);
  });
  it('when every required field is missing, then each is named once', () => {
    const result = parseCallEvent(new Map());
    assert.equal(result.ok, false);
    const fields = result.ok ? [] : result.problems.map((p) => p.field);
    assert.deepEqual(fields, ['sid', 'from_service_id', 'from_user_id', 'to_service_id', 'to_user_id', 'type',
      'setup_time', 'start_time', 'end_time', 'duration', 'srcip', 'dstip', 'terminate', 'rel_code', 'rel_code_str']);
  });
  it('when several fields are bad, then every one is reported', () => {
    const fields = problemsOf({ sid: 'x', type: 'Q', duration: '-1' }).map((p) => p.field);
    assert.deepEqual(fields, ['sid', 'type', 'duration']);
  });
});

describe('parseCallEvent: unknown keys', () => {
  it('when unknown keys arrive, then they are kept verbatim in extra', () => {
    assert.deepEqual(eventOf({ new_field: 'hello', 'x-y': '' }).extra, { new_field: 'hello', 'x-y': '' });
  });
  it('when an unknown key is named "__proto__", then it is kept as an ordinary key', () => {
    const result = parseCallEvent(new Map([...Object.entries(validCallbackValues()), ['__proto__', 'x']]));
    assert.ok(result.ok);
    assert.deepEqual(Object.entries(result.event.extra), [['__proto__', 'x']]);
  });
  it('when an unknown key holds a NUL character, then it is refused', () => {
    assertRefused('odd', { odd: 'a\u0000' }, /NUL/);
  });
  it(`when an unknown key's value is over ${MAX_EXTRA_VALUE_BYTES} bytes, then it is refused`, () => {
    assertRefused('big', { big: 'b'.repeat(MAX_EXTRA_VALUE_BYTES + 1) }, /longer than/);
  });
});
