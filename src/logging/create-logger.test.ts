import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestApp } from '../../test/fixtures/test-app.js';
import { createLogger } from './create-logger.js';
import { createSecretRedactor, fullyPercentDecode } from './redact-secret.js';

const SECRET = 'Zq7-secret_path_0123456789';
/** Generated near-miss requests per property run. */
const PROPERTY_RUNS = 300;

/** A logger that keeps every line it writes, at the most verbose level. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ level: 'trace', callbackSecret: SECRET, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines };
}

/** Fails when a line holds the secret raw or in any percent-encoded form. */
function assertNoSecret(lines: readonly string[]): void {
  for (const line of lines) {
    assert.ok(!line.includes(SECRET), `the secret is in a log line: ${line}`);
    assert.ok(!fullyPercentDecode(line).includes(SECRET), `the secret is percent-encoded in a log line: ${line}`);
  }
}

/** One character of the secret written raw, or percent-encoded in upper or lower case, once or twice. */
const encodedChar = (char: string) => {
  const hex = char.charCodeAt(0).toString(16).padStart(2, '0');
  return fc.constantFrom(char, `%${hex.toUpperCase()}`, `%${hex.toLowerCase()}`, `%25${hex.toUpperCase()}`);
};
const encodedSecret = fc.tuple(...[...SECRET].map(encodedChar)).map((chars) => chars.join(''));
const junk = fc.array(fc.constantFrom('x', 'X', ';', ';x', '.', '..', '%2F', '%2f', '%00', '%', '%E0', '-', '_', '~', '/', '%3B', '%20'), { maxLength: 3 })
  .map((parts) => parts.join(''));
const nearMissPath = fc.record({
  prefix: fc.constantFrom('/callbacks/', '/callbacks/x/', '/callbacks', '/api/calls/', '/', '/metrics/', '/callbacks/call-event/'),
  before: junk,
  secret: encodedSecret,
  after: junk,
  suffix: fc.constantFrom('/call-event', '', '/', '/other', '/call-event/'),
  query: fc.constantFrom('', `?s=${SECRET}`, '?sid=abc', `?x=%${'5A'}${SECRET.slice(1)}`),
}).map((p) => `${p.prefix}${p.before}${p.secret}${p.after}${p.suffix}${p.query}`);

describe('request logs and the callback secret', () => {
  it('when near-miss paths carry the secret (suffix, prefix, ";", encoded "/", NUL, bad escapes, encoded characters), then no log line holds it in any form', async () => {
    const { logger, lines } = capturingLogger();
    const t = await createTestApp({ CALLBACK_SECRET: SECRET, LOG_REQUESTS: 'true', LOG_LEVEL: 'trace' }, { logger });
    const paths = [
      `/callbacks/${SECRET}x/call-event`, `/callbacks/x${SECRET}/call-event`, `/callbacks/${SECRET};x/call-event`,
      `/callbacks/${SECRET}%2Fx/call-event`, `/callbacks/${SECRET}%2fx/call-event`, `/callbacks/${SECRET}%00/call-event`,
      `/callbacks/${SECRET}%E0/call-event`, `/callbacks/%5aq7-secret_path_0123456789x/call-event`,
      `/callbacks/%5A%71%37%2D${SECRET.slice(4)}/call-event`, `/callbacks/%255A${SECRET.slice(1)}/call-event`,
      `/callbacks/%%35%41${SECRET.slice(1)}/call-event`, `/${SECRET}`, `/api/calls/${SECRET}`, `/callbacks/call-event?s=${SECRET}`,
    ];
    try {
      for (const [i, url] of paths.entries()) {
        const method = (['GET', 'POST', 'PUT', 'DELETE'] as const)[i % 4];
        await t.app.inject({ method, url, headers: { referer: `https://example.com/callbacks/${SECRET}/call-event` }, payload: method === 'GET' ? undefined : 'sid=x' });
      }
      // The two with undecodable escapes (%E0, %%) are refused by the router before it logs; every other one is logged.
      assert.equal(lines.filter((l) => l.includes('"incoming request"')).length, paths.length - 2, 'the requests were logged');
      assertNoSecret(lines);
    } finally {
      await t.cleanup();
    }
  });

  it('when generated paths hold the secret with any characters percent-encoded and any junk around it, then no log line holds it', async () => {
    const { logger, lines } = capturingLogger();
    const t = await createTestApp({ CALLBACK_SECRET: SECRET, LOG_REQUESTS: 'true', LOG_LEVEL: 'trace' }, { logger });
    try {
      await fc.assert(
        fc.asyncProperty(nearMissPath, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH'), async (url, method) => {
          const before = lines.length;
          await t.app.inject({ method, url, ...(method === 'GET' ? {} : { payload: 'sid=x' }) });
          assertNoSecret(lines.slice(before));
        }),
        { numRuns: PROPERTY_RUNS },
      );
      // Requests the router cannot decode are refused before logging; most are logged, so the check above means something.
      assert.ok(lines.filter((l) => l.includes('"incoming request"')).length > PROPERTY_RUNS / 2, 'the requests were logged');
    } finally {
      await t.cleanup();
    }
  });

  it('when another field of a log line holds the secret (a header, a message, a child logger), then it is replaced before the line is written', () => {
    const { logger, lines } = capturingLogger();
    logger.info({ referer: `https://example.com/callbacks/${SECRET}/call-event` }, `failed for ${SECRET}`);
    logger.child({ reqId: 'r1' }).warn(`path /callbacks/%5a${SECRET.slice(1)};x`);
    logger.error({ err: new Error(`nested /callbacks/%%35%41${SECRET.slice(1)}`) }, 'boom');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /\/callbacks\/\[secret\]\/call-event/);
    assert.match(lines[1]!, /"reqId":"r1".*\/callbacks\/\[secret\];x/);
    assert.match(lines[2]!, /"level":50.*withheld/);
    assertNoSecret(lines);
  });

  it('when a URL holds the secret escaped inside escapes, then redactUrl decodes it and replaces every occurrence', () => {
    const redactor = createSecretRedactor(SECRET);
    assert.equal(redactor.redactUrl(`/callbacks/x${SECRET}y/call-event`), '/callbacks/x[secret]y/call-event');
    assert.equal(redactor.redactUrl(`/callbacks/%25%35A${SECRET.slice(1)}`), '/callbacks/[secret]');
    assert.equal(redactor.redactUrl('/callbacks/call-event'), '/callbacks/call-event');
  });
});
