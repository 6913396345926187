import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MAX_BATCH } from '../ingest/group-committer.js';
import { DEFAULT_DATABASE_URL, DEFAULT_SPOOL_FILE } from '../storage/open-store.js';
import { CONFIG_ENV_NAMES, ConfigError, isLoopbackHost, loadConfig } from './load-config.js';

const TOKEN = 'tok_0123456789abcdef';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('when nothing is set, then the safe defaults apply and the result is frozen', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, DEFAULT_DATABASE_URL);
    assert.equal(config.callbackSecret, null);
    assert.equal(config.callbackAllowCidrs, null);
    assert.equal(config.trustProxy, false);
    assert.deepEqual(config.apiTokens, []);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.logRequests, false);
    assert.equal(config.ingestMaxBatch, DEFAULT_MAX_BATCH);
    assert.equal(config.spoolFile, null, 'SQLite never spools');
    assert.ok(Object.isFrozen(config));
  });

  it('when every variable is set to a good value, then each is read', () => {
    const config = loadConfig({
      HOST: '::1', PORT: '0', DATABASE_URL: 'sqlite:/var/lib/callevt.db', CALLBACK_SECRET: 'abcdefghij_KLMNOP-1',
      CALLBACK_ALLOW_CIDRS: '203.0.113.0/24, 198.51.100.7', TRUST_PROXY: '10.0.0.0/8,127.0.0.1', API_TOKEN: `${TOKEN}, ${TOKEN}2`,
      LOG_LEVEL: 'debug', LOG_REQUESTS: 'yes', INGEST_MAX_BATCH: '1',
    });
    assert.equal(config.host, '::1');
    assert.equal(config.port, 0);
    assert.equal(config.databaseUrl, 'sqlite:/var/lib/callevt.db');
    assert.equal(config.callbackSecret, 'abcdefghij_KLMNOP-1');
    assert.equal(config.callbackAllowCidrs?.contains('203.0.113.200'), true);
    assert.equal(config.callbackAllowCidrs?.contains('198.51.100.7'), true);
    assert.equal(config.callbackAllowCidrs?.contains('198.51.100.8'), false);
    assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.deepEqual(config.apiTokens, [TOKEN, `${TOKEN}2`]);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.logRequests, true);
    assert.equal(config.ingestMaxBatch, 1);
  });

  it('when DATABASE_URL is PostgreSQL, then the spool is on at ./data/spool.db unless SPOOL_FILE names another file or says off', () => {
    const pg = 'postgres://u@db.example/callevt';
    assert.equal(loadConfig({ DATABASE_URL: pg }).spoolFile, DEFAULT_SPOOL_FILE);
    assert.equal(loadConfig({ DATABASE_URL: pg, SPOOL_FILE: '/var/lib/callevt/spool.db' }).spoolFile, '/var/lib/callevt/spool.db');
    assert.equal(loadConfig({ DATABASE_URL: pg, SPOOL_FILE: 'OFF' }).spoolFile, null);
    assert.equal(loadConfig({ SPOOL_FILE: 'off' }).spoolFile, null);
  });

  it('when SPOOL_FILE is set with SQLite, or is not a file path, then it is refused', () => {
    assert.match(problemsOf({ SPOOL_FILE: './spool.db' })[0] ?? '', /SPOOL_FILE applies only with a PostgreSQL DATABASE_URL/);
    for (const bad of [':memory:', 'postgres://h/db']) {
      assert.match(problemsOf({ DATABASE_URL: 'postgres://h/db', SPOOL_FILE: bad })[0] ?? '', /SPOOL_FILE must be a file path on a persistent disk/);
    }
  });

  it('when TRUST_PROXY is a yes/no word, then it becomes a boolean', () => {
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: 'off' }).trustProxy, false);
  });

  it('when PORT is not a whole number in 0..65535, then it is refused with the value', () => {
    for (const bad of ['-1', '65536', '80.5', 'http', '0x50']) {
      const problems = problemsOf({ PORT: bad });
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? '', new RegExp(`PORT must be a whole number from 0 to 65535 \\(got "${bad.replace('.', '\\.')}"\\)`));
    }
  });

  it('when CALLBACK_SECRET is short or holds characters unfit for a path, then each problem is reported', () => {
    assert.deepEqual(problemsOf({ CALLBACK_SECRET: 'short/x' }), [
      'CALLBACK_SECRET must be at least 16 characters',
      'CALLBACK_SECRET may contain only letters, digits, "_" and "-" (it is a URL path segment)',
    ]);
  });

  it('when CALLBACK_ALLOW_CIDRS or TRUST_PROXY hold a bad network, then it is named', () => {
    assert.match(problemsOf({ CALLBACK_ALLOW_CIDRS: '203.0.113.0/24,nonsense' })[0] ?? '', /"nonsense" is not an IP address/);
    assert.match(problemsOf({ TRUST_PROXY: '10.0.0.0/99' })[0] ?? '', /TRUST_PROXY must be/);
  });

  it('when HOST is reachable from other machines without API_TOKEN, then it is refused; with a token it is fine', () => {
    assert.match(problemsOf({ HOST: '0.0.0.0' })[0] ?? '', /needs API_TOKEN/);
    assert.equal(loadConfig({ HOST: '0.0.0.0', API_TOKEN: TOKEN }).host, '0.0.0.0');
  });

  it('when an API token is short, then it is refused', () => {
    assert.match(problemsOf({ API_TOKEN: 'short' })[0] ?? '', /at least 16 characters/);
  });

  it('when LOG_LEVEL, LOG_REQUESTS or INGEST_MAX_BATCH are invalid, then each is refused', () => {
    assert.match(problemsOf({ LOG_LEVEL: 'verbose' })[0] ?? '', /LOG_LEVEL must be one of/);
    assert.match(problemsOf({ LOG_REQUESTS: 'maybe' })[0] ?? '', /LOG_REQUESTS must be true or false/);
    assert.match(problemsOf({ INGEST_MAX_BATCH: '0' })[0] ?? '', /INGEST_MAX_BATCH must be a whole number from 1 to 10000/);
  });

  it('when several variables are bad, then all problems are reported in one error', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'loud', INGEST_MAX_BATCH: '-2', CALLBACK_SECRET: 'a', HOST: '192.0.2.1' });
    assert.equal(problems.length, 5);
    assert.throws(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' }), /Invalid configuration:\n {2}- PORT[^\n]*\n {2}- LOG_LEVEL/);
  });

  it('when values have blanks around them or are empty, then they are trimmed or treated as unset', () => {
    const config = loadConfig({ PORT: ' 9000 ', LOG_LEVEL: '', HOST: '  ' });
    assert.equal(config.port, 9000);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.host, '127.0.0.1');
  });

  it('when loadConfig reads variables, then it reads exactly the documented list', () => {
    assert.deepEqual([...CONFIG_ENV_NAMES].sort(), [
      'API_TOKEN', 'CALLBACK_ALLOW_CIDRS', 'CALLBACK_SECRET', 'DATABASE_URL', 'HEADERS_TIMEOUT_MS', 'HOST', 'INGEST_MAX_BATCH',
      'KEEP_ALIVE_TIMEOUT_MS', 'LOG_LEVEL', 'LOG_REQUESTS', 'PORT', 'RETENTION_BATCH_ROWS', 'RETENTION_CALLS_DAYS',
      'RETENTION_INTERVAL_MINUTES', 'RETENTION_QUARANTINE_DAYS', 'RETENTION_RAW_DAYS', 'RETENTION_ROLLUPS_DAYS',
      'RETENTION_TRUNCATE_IPS_DAYS', 'SPOOL_FILE', 'TRUST_PROXY',
      'NOTIFY_RELAY_URL', 'NOTIFY_RELAY_TIMEOUT', 'CALL_EVENT_DEADLINE', 'GROUP_END_DEADLINE',
      'CALL_EVENT_RELAY_URL', 'AGENT_CALL_STATUS_RELAY_URL', 'RELAY_BACKOFF_BASE_MS', 'RELAY_BACKOFF_MAX_MS', 'RELAY_CONCURRENCY', 'RELAY_MAX_ATTEMPTS', 'RELAY_SIGNING_SECRET',
      'RELAY_TIMEOUT_MS',
    ].sort());
  });

  it('when the Notify relay and the end deadline are not set, then there is no relay, a 3 s timeout and a 2 h deadline', () => {
    const config = loadConfig({});
    assert.equal(config.notifyRelayUrl, null);
    assert.equal(config.notifyRelayTimeoutMs, 3_000);
    assert.equal(config.callEventDeadlineMs, 7_200_000);
  });

  it('when the Notify relay and the deadline are set as durations, then they are read in milliseconds', () => {
    const config = loadConfig({ NOTIFY_RELAY_URL: 'http://127.0.0.1:3000/notify?k=v', NOTIFY_RELAY_TIMEOUT: '500ms', CALL_EVENT_DEADLINE: '90m' });
    assert.equal(config.notifyRelayUrl, 'http://127.0.0.1:3000/notify?k=v');
    assert.equal(config.notifyRelayTimeoutMs, 500);
    assert.equal(config.callEventDeadlineMs, 5_400_000);
  });

  it('when the Notify relay URL or the durations are bad, then every problem is named at once', () => {
    assert.throws(
      () => loadConfig({ NOTIFY_RELAY_URL: 'ftp://x/notify', NOTIFY_RELAY_TIMEOUT: '3 seconds', CALL_EVENT_DEADLINE: '10s' }),
      (error: Error) => ['NOTIFY_RELAY_URL', 'NOTIFY_RELAY_TIMEOUT', 'CALL_EVENT_DEADLINE'].every((name) => error.message.includes(name)),
    );
    assert.throws(() => loadConfig({ NOTIFY_RELAY_URL: 'http://user:pw@host/notify' }), /user name or password/);
  });

  it('when no retention is set, then everything is kept forever', () => {
    assert.deepEqual(loadConfig({}).retention.policy, { rawDays: null, quarantineDays: null, callsDays: null, rollupsDays: null, truncateIpsDays: null });
  });

  it('when retention limits contradict each other or are not whole days, then every problem is reported at once', () => {
    assert.throws(() => loadConfig({ RETENTION_CALLS_DAYS: '30', RETENTION_ROLLUPS_DAYS: '10', RETENTION_QUARANTINE_DAYS: '0' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 3);
      assert.match(error.message, /RETENTION_ROLLUPS_DAYS \(10\) must be at least RETENTION_CALLS_DAYS \(30\)/);
      assert.match(error.message, /RETENTION_RAW_DAYS \(unset: forever\) must be at most RETENTION_CALLS_DAYS/);
      assert.match(error.message, /RETENTION_QUARANTINE_DAYS must be a whole number of days from 1/);
      return true;
    });
    const ok = loadConfig({ RETENTION_RAW_DAYS: '30', RETENTION_CALLS_DAYS: '396', RETENTION_TRUNCATE_IPS_DAYS: '7' }).retention;
    assert.deepEqual(ok.policy, { rawDays: 30, quarantineDays: null, callsDays: 396, rollupsDays: null, truncateIpsDays: 7 });
  });

  it('when the HTTP timeouts are not set, then keep-alive outlasts a 60 s load balancer idle timeout and headers wait longer still', () => {
    const config = loadConfig({});
    assert.equal(config.keepAliveTimeoutMs, 65_000);
    assert.equal(config.headersTimeoutMs, 66_000);
  });

  it('when only KEEP_ALIVE_TIMEOUT_MS is set, then the headers timeout follows it, one second longer', () => {
    const config = loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '120000' });
    assert.equal(config.keepAliveTimeoutMs, 120_000);
    assert.equal(config.headersTimeoutMs, 121_000);
  });

  it('when the headers timeout is not longer than the keep-alive timeout, or either is out of range, then each problem is reported', () => {
    assert.deepEqual(problemsOf({ KEEP_ALIVE_TIMEOUT_MS: '70000', HEADERS_TIMEOUT_MS: '70000' }), [
      'HEADERS_TIMEOUT_MS (70000) must be longer than KEEP_ALIVE_TIMEOUT_MS (70000)',
    ]);
    assert.equal(problemsOf({ KEEP_ALIVE_TIMEOUT_MS: '500' }).length, 1);
    assert.equal(problemsOf({ KEEP_ALIVE_TIMEOUT_MS: '65s', HEADERS_TIMEOUT_MS: '400000' }).length, 2);
    assert.equal(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '10000' }).headersTimeoutMs, 10_000);
  });

  it('when CALL_EVENT_RELAY_URL is not set, then the relay is off; RELAY_* alone is reported', () => {
    assert.equal(loadConfig({}).callEventRelay, null);
    assert.deepEqual(problemsOf({ RELAY_MAX_ATTEMPTS: '3' }), ['RELAY_MAX_ATTEMPTS set without CALL_EVENT_RELAY_URL: set the relay URL or unset them']);
  });

  it('when the relay is configured, then its settings are read with their defaults, and each bad one is reported', () => {
    const relay = loadConfig({ CALL_EVENT_RELAY_URL: 'http://app.internal/planet/callback', RELAY_MAX_ATTEMPTS: '5' }).callEventRelay;
    assert.deepEqual(relay, {
      url: 'http://app.internal/planet/callback', agentCallStatusUrl: null, maxAttempts: 5, backoffBaseMs: 1_000, backoffMaxMs: 300_000, timeoutMs: 10_000,
      concurrency: 32, signingSecret: null,
    });
    assert.deepEqual(problemsOf({ CALL_EVENT_RELAY_URL: 'http://app/cb?x=1', RELAY_SIGNING_SECRET: 'short', RELAY_BACKOFF_BASE_MS: '5000', RELAY_BACKOFF_MAX_MS: '1000' }), [
      'RELAY_BACKOFF_MAX_MS (1000) must not be shorter than RELAY_BACKOFF_BASE_MS (5000)',
      'RELAY_SIGNING_SECRET must be at least 16 characters',
      "CALL_EVENT_RELAY_URL must have no query or fragment: the callback's own query string is appended",
    ]);
    assert.deepEqual(problemsOf({ CALL_EVENT_RELAY_URL: 'ftp://app/cb' }), ['CALL_EVENT_RELAY_URL must be an http:// or https:// URL']);
  });

  it('when a host is loopback, then isLoopbackHost says so', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', '::1', 'localhost']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['0.0.0.0', '::', '192.0.2.1', 'example.com']) assert.equal(isLoopbackHost(host), false, host);
  });
});
