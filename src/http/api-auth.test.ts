import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { SEED_EXAMPLE_QUERY, validCallbackQuery } from '../../test/fixtures/callback-fixture.js';
import { createTestApp } from '../../test/fixtures/test-app.js';

const TOKEN_A = 'token-aaaaaaaaaaaaaaaa';
const TOKEN_B = 'token-bbbbbbbbbbbbbbbb';
const READ_URLS = ['/api/calls', '/api/calls/export?format=ndjson', '/api/quarantine', '/api/calls/6364e8b3-bdac-436e-9631-0bce2498ce0c'];

describe('read API with API_TOKEN set', () => {
  for (const url of READ_URLS) {
    it(`when ${url} is asked without a token or with a wrong one, then it answers 401 unauthorized with WWW-Authenticate`, async () => {
      const t = await createTestApp({ API_TOKEN: `${TOKEN_A},${TOKEN_B}` });
      try {
        for (const authorization of [undefined, `Bearer ${TOKEN_A}x`, `Basic ${TOKEN_A}`, 'Bearer', `Bearer ${TOKEN_A.slice(0, -1)}`]) {
          const res = await t.app.inject({ url, headers: authorization === undefined ? {} : { authorization } });
          assert.equal(res.statusCode, 401, `${authorization}`);
          assert.equal(res.json().error.code, 'unauthorized');
          assert.equal(res.headers['www-authenticate'], 'Bearer');
        }
      } finally {
        await t.cleanup();
      }
    });
  }

  it('when each of several configured tokens is presented, then the read API answers', async () => {
    const t = await createTestApp({ API_TOKEN: `${TOKEN_A}, ${TOKEN_B}` });
    try {
      await t.app.inject({ url: `/callbacks/call-event?${SEED_EXAMPLE_QUERY}` });
      for (const token of [TOKEN_A, TOKEN_B]) {
        const list = await t.app.inject({ url: '/api/calls', headers: { authorization: `Bearer ${token}` } });
        assert.equal(list.statusCode, 200);
        assert.equal(list.json().items.length, 1);
        const one = await t.app.inject({ url: '/api/calls/6364e8b3-bdac-436e-9631-0bce2498ce0c', headers: { authorization: `bearer ${token}` } });
        assert.equal(one.statusCode, 200);
      }
    } finally {
      await t.cleanup();
    }
  });

  it('when a callback arrives without any token, then it is accepted: callbacks are never behind the API token', async () => {
    const t = await createTestApp({ API_TOKEN: TOKEN_A });
    try {
      const get = await t.app.inject({ url: `/callbacks/call-event?${validCallbackQuery()}` });
      assert.equal(get.statusCode, 200);
      const post = await t.app.inject({
        method: 'POST',
        url: '/callbacks/call-event',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: validCallbackQuery(),
      });
      assert.equal(post.statusCode, 200);
    } finally {
      await t.cleanup();
    }
  });

  it('when the health endpoints are asked without a token, then they answer (probes carry no secrets)', async () => {
    const t = await createTestApp({ API_TOKEN: TOKEN_A });
    try {
      assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200);
      assert.equal((await t.app.inject({ url: '/readyz' })).statusCode, 200);
    } finally {
      await t.cleanup();
    }
  });
});

describe('read API without API_TOKEN', () => {
  it('when listening on loopback with no token, then the read API is open', async () => {
    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      const t = await createTestApp({ HOST: host });
      try {
        assert.equal((await t.app.inject({ url: '/api/calls' })).statusCode, 200, host);
      } finally {
        await t.cleanup();
      }
    }
  });

  it('when HOST is not loopback and no token is set, then the configuration is refused with a message naming API_TOKEN', () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
      assert.throws(() => loadConfig({ HOST: host }), (error: unknown) => error instanceof ConfigError && /API_TOKEN/.test(error.message) && error.message.includes(host));
    }
    assert.equal(loadConfig({ HOST: '0.0.0.0', API_TOKEN: TOKEN_A }).apiTokens.length, 1);
  });

  it('when a token is shorter than 16 characters, then the configuration is refused', () => {
    assert.throws(() => loadConfig({ API_TOKEN: 'short' }), /at least 16 characters/);
  });

  it('when `callevt serve` is started on 0.0.0.0 without a token, then it exits with status 2 and says why, before listening', () => {
    const here = fileURLToPath(import.meta.url);
    const compiled = here.endsWith('.js');
    const main = fileURLToPath(new URL(`./../cli/main.${compiled ? 'js' : 'ts'}`, import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    delete env.API_TOKEN;
    const result = spawnSync(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), main, 'serve', '--host', '0.0.0.0', '--port', '0', '--db', ':memory:'], {
      env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /HOST=0\.0\.0\.0 is reachable from other machines, so the read API needs API_TOKEN/);
  });
});
