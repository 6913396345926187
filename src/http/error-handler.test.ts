import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validCallbackQuery } from '../../test/fixtures/callback-fixture.js';
import { countRows } from '../../test/fixtures/raw-requests.js';
import { createTestApp } from '../../test/fixtures/test-app.js';
import { createLogger } from '../logging/create-logger.js';
import { fullyPercentDecode } from '../logging/redact-secret.js';

const SECRET = 'Wm4_method_secret_0123456789';

describe('wrong methods on known paths', () => {
  it('when a known path is asked with a method it does not serve, then answers 405 with Allow and the error shape', async () => {
    const t = await createTestApp();
    try {
      const cases = [
        { method: 'DELETE', url: '/api/calls', allow: 'GET, HEAD' },
        { method: 'POST', url: '/api/stats/summary?from=0', allow: 'GET, HEAD' },
        { method: 'POST', url: '/metrics', allow: 'GET, HEAD' },
        { method: 'PUT', url: '/callbacks/call-event', allow: 'GET, POST' },
        { method: 'PATCH', url: '/api/calls/some-sid', allow: 'GET, HEAD' },
        { method: 'OPTIONS', url: '/healthz', allow: 'GET, HEAD' },
      ] as const;
      for (const { method, url, allow } of cases) {
        const res = await t.app.inject({ method, url });
        assert.equal(res.statusCode, 405, `${method} ${url}`);
        assert.equal(res.headers.allow, allow, `${method} ${url}`);
        assert.deepEqual(res.json(), {
          error: { code: 'method_not_allowed', message: `Method ${method} is not allowed here; allowed: ${allow}`, details: [] },
        });
      }
      assert.equal(countRows(t.file, 'raw_requests'), 0, 'a refused method is not a delivery');
    } finally {
      await t.cleanup();
    }
  });

  it('when the path is unknown, then any method still answers 404', async () => {
    const t = await createTestApp();
    try {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const res = await t.app.inject({ method, url: '/api/nothing-here' });
        assert.equal(res.statusCode, 404);
        assert.equal(res.headers.allow, undefined);
        assert.equal(res.json().error.code, 'not_found');
      }
    } finally {
      await t.cleanup();
    }
  });

  it('when HEAD is sent to a GET route, then it is still answered 200', async () => {
    const t = await createTestApp();
    try {
      for (const url of ['/healthz', '/api/calls', '/metrics']) assert.equal((await t.app.inject({ method: 'HEAD', url })).statusCode, 200, url);
    } finally {
      await t.cleanup();
    }
  });

  it('when a callback secret is set, then a wrong method on the secret path answers 405, on a wrong-secret path 404, and neither logs the secret', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'trace', callbackSecret: SECRET, destination: { write: (line: string) => void lines.push(line) } });
    const t = await createTestApp({ CALLBACK_SECRET: SECRET, LOG_REQUESTS: 'true', LOG_LEVEL: 'trace' }, { logger });
    try {
      const right = await t.app.inject({ method: 'PUT', url: `/callbacks/${SECRET}/call-event?${validCallbackQuery()}` });
      assert.equal(right.statusCode, 405);
      assert.equal(right.headers.allow, 'GET, POST');
      const encoded = await t.app.inject({ method: 'DELETE', url: `/callbacks/%57${SECRET.slice(1)}/call-event` });
      assert.equal(encoded.statusCode, 405);
      for (const url of [`/callbacks/${SECRET}x/call-event`, '/callbacks/call-event', `/callbacks/${SECRET.slice(0, -1)}/call-event`]) {
        const wrong = await t.app.inject({ method: 'PUT', url });
        assert.equal(wrong.statusCode, 404, url);
        assert.equal(wrong.headers.allow, undefined, url);
        assert.equal(wrong.json().error.code, 'not_found');
      }
      assert.equal(countRows(t.file, 'raw_requests'), 0);
      assert.ok(lines.some((l) => l.includes('"statusCode":405')), 'the requests were logged');
      for (const line of lines) assert.ok(!fullyPercentDecode(line).includes(SECRET), `the secret is in a log line: ${line}`);
    } finally {
      await t.cleanup();
    }
  });
});
