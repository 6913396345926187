import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config/load-config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { validCallbackValues } from '../fixtures/callback-fixture.js';
import { findNginx, NGINX_REQUIRED, type RunningNginx, startNginx } from './nginx-fixture.js';

/** An idle just past Node's own keep-alive default (5 s), in milliseconds. */
const SHORT_IDLE_MS = 6_000;
/** An idle just past the 60 s idle timeout of common load balancers, in milliseconds. */
const LONG_IDLE_MS = 61_000;
/**
 * nginx's idle timeout for its upstream connections in the test, in seconds: longer than
 * the long idle, so nginx keeps the connection and the receiver's keep-alive is what is
 * tested; still below the receiver's 65 s, as docs/deploy.md asks of a balancer.
 */
const NGINX_KEEPALIVE_TIMEOUT_S = 64;

interface Seen { front: string; remotePort: number }

/** Posts one callback as a form through `base`; resolves with the status and its sid. */
function postCallback(base: string, agent?: Agent): Promise<{ status: number; sid: string }> {
  const values = validCallbackValues();
  const body = new URLSearchParams(values).toString();
  return new Promise((resolve, reject) => {
    const req = request(`${base}/callbacks/call-event`, {
      method: 'POST',
      ...(agent ? { agent } : {}),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sid: values.sid ?? '' }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

// Load balancers keep idle connections to the receivers open (nginx's upstream keepalive,
// ALB: 60 s) and send the next request on them. Node closes idle connections after 5 s
// unless told otherwise; a request sent as it closes fails at the balancer with 502.
describe('when a load balancer keeps idle connections to the receiver open', { concurrency: true }, () => {
  const nginxPath = findNginx();
  const dir = mkdtempSync(join(tmpdir(), 'callevt-lb-'));
  let server: RunningServer;
  let nginx: RunningNginx | null = null;
  const seen: Seen[] = [];

  before(async () => {
    server = await startServer(loadConfig({ PORT: '0', DATABASE_URL: join(dir, 'calls.db'), LOG_LEVEL: 'silent' }));
    // Which connection each request arrived on: a reused connection keeps its remote port.
    server.app.server.on('request', (req) => {
      seen.push({ front: String(req.headers['x-front'] ?? 'direct'), remotePort: req.socket.remotePort ?? 0 });
    });
    if (nginxPath !== null) {
      const port = Number(new URL(server.url).port);
      nginx = await startNginx(nginxPath, { upstreamPort: port, fronts: ['short', 'long'], keepaliveTimeoutS: NGINX_KEEPALIVE_TIMEOUT_S });
    }
  });
  after(async () => {
    await nginx?.stop();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Two callbacks through one front, `idleMs` apart: both 200, both stored, and the second on the first one's connection. */
  const afterIdle = async (base: string, front: string, idleMs: number, agent?: Agent) => {
    const first = await postCallback(base, agent);
    await sleep(idleMs);
    const second = await postCallback(base, agent);
    assert.deepEqual([first.status, second.status], [200, 200], nginx?.errorLog() ?? '');
    for (const { sid } of [first, second]) assert.notEqual(await server.store.getCall(sid), null, `sid ${sid} is stored`);
    const ports = seen.filter((s) => s.front === front).map((s) => s.remotePort);
    assert.equal(ports.length, 2);
    assert.equal(ports[1], ports[0], `after ${idleMs} ms idle the receiver had closed the connection (a balancer racing that close answers 502)`);
  };

  it(`when a client idles ${SHORT_IDLE_MS / 1000} s on a keep-alive connection, then the receiver has kept it open and the next callback is stored`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await afterIdle(server.url, 'direct', SHORT_IDLE_MS, agent);
    } finally {
      agent.destroy();
    }
  });

  const skip = nginxPath === null && !NGINX_REQUIRED ? 'nginx is not installed (apt-get install -y nginx-light); skipped' : false;
  if (skip) process.stderr.write(`NOTICE: ${skip}\n`);

  it(`when nginx reuses its upstream connection after ${SHORT_IDLE_MS / 1000} s idle, then the POST callback gets 200 and is stored`, { skip }, async () => {
    assert.ok(nginx, 'REQUIRE_NGINX=1 but nginx is not installed');
    await afterIdle(`http://127.0.0.1:${nginx.fronts[0]!.port}`, 'short', SHORT_IDLE_MS);
  });

  it(`when nginx reuses its upstream connection after ${LONG_IDLE_MS / 1000} s idle, then the POST callback gets 200 and is stored`, { skip }, async () => {
    assert.ok(nginx, 'REQUIRE_NGINX=1 but nginx is not installed');
    await afterIdle(`http://127.0.0.1:${nginx.fronts[1]!.port}`, 'long', LONG_IDLE_MS);
  });
});
