import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Longest wait for nginx to listen after it is started, in milliseconds. */
const NGINX_START_BOUND_MS = 10_000;
/** Whether a missing nginx fails the tests (CI) instead of skipping them. */
export const NGINX_REQUIRED = ['1', 'true', 'yes'].includes((process.env.REQUIRE_NGINX ?? '').toLowerCase()) || process.env.CI === 'true';

/** The nginx binary (Debian's nginx-light puts it in /usr/sbin), or null when it is not installed. */
export function findNginx(): string | null {
  const dirs = ['/usr/sbin', '/usr/local/sbin', ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.map((dir) => join(dir, 'nginx')).find((path) => existsSync(path)) ?? null;
}

/** One nginx front: a listening port and the upstream (with its own keep-alive pool) it proxies to. */
export interface NginxFront {
  /** Sent to the receiver as `X-Front`, so a test can tell which front a request came through. */
  name: string;
  port: number;
}

/** A running nginx; `stop()` ends it and removes its directory. */
export interface RunningNginx {
  fronts: NginxFront[];
  /** nginx's error log, for failure messages. */
  errorLog(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx in the foreground on loopback, everything under a temp directory of its
 * own (config, pid, logs, temp files). Each front proxies to the receiver through its
 * own upstream with a keep-alive pool, as a load balancer in front of callevt does:
 * HTTP/1.1 with the `Connection` header cleared.
 */
export async function startNginx(nginx: string, options: { upstreamPort: number; fronts: string[]; keepaliveTimeoutS: number }): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-nginx-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const fronts: NginxFront[] = [];
  for (const name of options.fronts) fronts.push({ name, port: await freePort() });
  const upstreams = fronts.map((f) => `
    upstream receiver_${f.name} {
      server 127.0.0.1:${options.upstreamPort};
      keepalive 4;
      keepalive_timeout ${options.keepaliveTimeoutS}s;
    }
    server {
      listen 127.0.0.1:${f.port};
      location / {
        proxy_pass http://receiver_${f.name};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header X-Front ${f.name};
      }
    }`).join('\n');
  const errorLog = join(dir, 'error.log');
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog} info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  ${upstreams}
}
`);
  const child: ChildProcess = spawn(nginx, ['-p', `${dir}/`, '-e', errorLog, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const readLog = () => `${stderr}${existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : ''}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(fronts.map((f) => waitForListener(f.port, () => child.exitCode !== null)));
  } catch (error) {
    const log = readLog();
    await stop();
    throw new Error(`nginx did not start: ${(error as Error).message}\n${log}`);
  }
  return { fronts, errorLog: readLog, stop };
}

/** A TCP port nobody listens on now (nginx needs a number; the race with another process is accepted). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function waitForListener(port: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + NGINX_START_BOUND_MS;
  while (Date.now() < deadline && !gaveUp()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
