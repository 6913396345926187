import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { truncateIp } from './truncate-ip.js';

describe('truncateIp', () => {
  const cases: Array<[string, string]> = [
    ['198.51.100.23', '198.51.100.0'],
    ['10.0.0.255', '10.0.0.0'],
    ['2001:db8:abcd:12::1', '2001:db8:abcd::'],
    ['2001:db8::1', '2001:db8::'],
    ['2001:0DB8:0001:0002:0003:0004:0005:0006', '2001:db8:1::'],
    ['fe80::1%eth0', 'fe80::'],
    ['::1', '::'],
    ['::ffff:192.0.2.77', '::ffff:192.0.2.0'],
    ['', ''],
    ['not an ip', ''],
    ['300.1.1.1', ''],
    ['1:2:3:4:5:6:7:8:9', ''],
  ];
  for (const [ip, expected] of cases) {
    it(`when the address is "${ip}", then it becomes "${expected}", and truncating again changes nothing`, () => {
      assert.equal(truncateIp(ip), expected);
      assert.equal(truncateIp(truncateIp(ip)), expected);
    });
  }
});
