import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallbackQuery } from '../../test/fixtures/callback-fixture.js';
import { countRows, readRawRequests } from '../../test/fixtures/raw-requests.js';
import { createTestApp } from '../../test/fixtures/test-app.js';
import { createLogger } from '../logging/create-logger.js';
import { SECRET_PLACEHOLDER, redactSecretPath, secretMatches } from './callback-guard.js';

const SECRET = 'Zq7-secret_path_0123456789';
/** The same secret with its first letter percent-encoded: the router decodes it to the secret. */
const ENCODED_SECRET = `%5A${SECRET.slice(1)}`;

describe('callback protection: secret path segment', () => {
  it('when the right secret is in the path, then answers 200 and stores the path with the secret replaced', async () => {
    const t = await createTestApp({ CALLBACK_SECRET: SECRET });
    try {
      const res = await t.app.inject({ url: `/callbacks/${SECRET}/call-event?${validCallbackQuery()}` });
      assert.equal(res.statusCode, 200);
      const [row] = readRawRequests(t.file);
      assert.equal(row?.path, `/callbacks/${SECRET_PLACEHOLDER}/call-event`);
    } finally {
      await t.cleanup();
    }
  });

  it('when the secret arrives percent-encoded, then it is accepted and still never stored', async () => {
    const t = await createTestApp({ CALLBACK_SECRET: SECRET });
    try {
      const res = await t.app.inject({ url: `/callbacks/${ENCODED_SECRET}/call-event?${validCallbackQuery()}` });
      assert.equal(res.statusCode, 200);
      const [row] = readRawRequests(t.file);
      assert.equal(row?.path, `/callbacks/${SECRET_PLACEHOLDER}/call-event`);
    } finally {
      await t.cleanup();
    }
  });

  it('when the secret is wrong or missing, then answers 404 and stores nothing', async () => {
    const t = await createTestApp({ CALLBACK_SECRET: SECRET });
    try {
      const wrong = await t.app.inject({ url: `/callbacks/${SECRET.slice(0, -1)}x/call-event?${validCallbackQuery()}` });
      const missing = await t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      const empty = await t.app.inject({ url: `/callbacks//call-event?${validCallbackQuery()}` });
      for (const res of [wrong, missing, empty]) {
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error.code, 'not_found');
        assert.ok(!res.body.includes(SECRET));
      }
      assert.equal(countRows(t.file, 'raw_requests'), 0);
    } finally {
      await t.cleanup();
    }
  });

  it('when requests are logged (LOG_REQUESTS=true), then the secret and the query never appear in the logs', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', callbackSecret: SECRET, destination: { write: (line: string) => void lines.push(line) } });
    const t = await createTestApp({ CALLBACK_SECRET: SECRET, LOG_REQUESTS: 'true' }, { logger });
    try {
      await t.app.inject({ url: `/callbacks/${SECRET}/call-event?${validCallbackQuery()}` });
      await t.app.inject({ url: `/callbacks/${ENCODED_SECRET}/call-event?${validCallbackQuery()}` });
      await t.app.inject({ url: `/callbacks/${SECRET}/call-event?sid=bad` });
      await t.app.inject({ url: `/callbacks/${SECRET}/other` });
      const output = lines.join('');
      assert.match(output, /incoming request/); // the logs were written: the check below means something
      assert.match(output, /\[secret\]/);
      assert.ok(!output.includes(SECRET), 'the secret is in the logs');
      assert.ok(!output.includes(ENCODED_SECRET), 'the encoded secret is in the logs');
      assert.ok(!output.includes('caller.1'), 'a query value (user id) is in the logs');
    } finally {
      await t.cleanup();
    }
  });

  it('when secrets are compared, then only the exact secret matches', () => {
    assert.equal(secretMatches(SECRET, SECRET), true);
    assert.equal(secretMatches(`${SECRET}x`, SECRET), false);
    assert.equal(secretMatches('', SECRET), false);
    assert.equal(secretMatches(SECRET.toUpperCase(), SECRET), false);
  });

  it('when a path is redacted, then only the segment equal to the secret (decoded) is replaced', () => {
    assert.equal(redactSecretPath(`/callbacks/${SECRET}/call-event`, SECRET), '/callbacks/[secret]/call-event');
    assert.equal(redactSecretPath(`/callbacks/${ENCODED_SECRET}/call-event`, SECRET), '/callbacks/[secret]/call-event');
    assert.equal(redactSecretPath('/callbacks/%ZZ/call-event', SECRET), '/callbacks/%ZZ/call-event');
    assert.equal(redactSecretPath(`/callbacks/${SECRET}/call-event`, null), `/callbacks/${SECRET}/call-event`);
  });
});

describe('callback protection: source allowlist and proxies', () => {
  const allow = { CALLBACK_ALLOW_CIDRS: '203.0.113.0/24, 2001:db8::/32' };

  it('when the source is in an allowed network, then answers 200', async () => {
    const t = await createTestApp(allow);
    try {
      for (const from of ['203.0.113.9', '::ffff:203.0.113.10', '2001:db8::5']) {
        const res = await t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: from });
        assert.equal(res.statusCode, 200, from);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('when the source is outside the allowed networks, then answers 403 and stores nothing', async () => {
    const t = await createTestApp(allow);
    try {
      for (const from of ['198.51.100.1', '127.0.0.1', '2001:db9::1']) {
        const res = await t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: from });
        assert.equal(res.statusCode, 403, from);
        assert.equal(res.json().error.code, 'forbidden');
      }
      assert.equal(countRows(t.file, 'raw_requests'), 0);
    } finally {
      await t.cleanup();
    }
  });

  it('when TRUST_PROXY is off, then X-Forwarded-For is ignored', async () => {
    const t = await createTestApp(allow);
    try {
      const res = await t.app.inject({
        url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      assert.equal(res.statusCode, 403);
    } finally {
      await t.cleanup();
    }
  });

  it('when TRUST_PROXY is true, then the client address comes from X-Forwarded-For and is stored', async () => {
    const t = await createTestApp({ ...allow, TRUST_PROXY: 'true' });
    try {
      const ok = await t.app.inject({
        url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(readRawRequests(t.file)[0]?.source_ip, '203.0.113.9');
      const refused = await t.app.inject({
        url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '198.51.100.1' },
      });
      assert.equal(refused.statusCode, 403);
    } finally {
      await t.cleanup();
    }
  });

  it('when TRUST_PROXY lists the proxies, then X-Forwarded-For is believed only from them', async () => {
    const t = await createTestApp({ ...allow, TRUST_PROXY: '10.0.0.0/8' });
    try {
      const viaProxy = await t.app.inject({
        url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      assert.equal(viaProxy.statusCode, 200);
      const notAProxy = await t.app.inject({
        url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: '192.0.2.1', headers: { 'x-forwarded-for': '203.0.113.9' },
      });
      assert.equal(notAProxy.statusCode, 403);
      // A forged first hop in front of the real client does not help: the proxy's own entry decides.
      const forged = await t.app.inject({
        url: `/callbacks/call-event?${validCallbackQuery()}`, remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' },
      });
      assert.equal(forged.statusCode, 403);
    } finally {
      await t.cleanup();
    }
  });
});
