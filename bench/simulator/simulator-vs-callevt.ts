/**
 * Shows that `callevt simulate` sends faster than callevt ingests: the same simulator,
 * for the same time, first against a bare node:http server that answers 200 at once
 * (the simulator's own ceiling), then against callevt on a fresh SQLite file.
 * Loopback only; bounded (DURATION_SEC per target); both servers run in child processes.
 *
 *   npm run build && node dist/bench/simulator/simulator-vs-callevt.js [seconds] [concurrency]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpTransport } from '../../src/simulate/http-transport.js';
import { runSimulation } from '../../src/simulate/run-simulation.js';
import { DEFAULT_TRAFFIC } from '../../src/simulate/traffic-options.js';

const DURATION_SEC = Number(process.argv[2] ?? 5);
const CONCURRENCY = Number(process.argv[3] ?? 64);
const MAX_DURATION_SEC = 60;

const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"result":"accepted"}');
}).listen(0, '127.0.0.1', function () { console.log('listening ' + this.address().port); });`;

async function main(): Promise<void> {
  if (!(DURATION_SEC > 0 && DURATION_SEC <= MAX_DURATION_SEC)) throw new Error(`seconds must be in (0, ${MAX_DURATION_SEC}]`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`each target: ${DURATION_SEC} s, concurrency ${CONCURRENCY}, keep-alive, default traffic mix\n`);
  console.log('| target | requests | req/s | p50 ms | p99 ms | non-2xx/4xx |');
  console.log('|---|---:|---:|---:|---:|---:|');

  const bare = spawn(process.execPath, ['-e', BARE_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await waitFor(bare, /listening (\d+)/);
    await measure('bare node:http 200 (baseline)', `http://127.0.0.1:${port}/callbacks/call-event`);
  } finally {
    bare.kill();
  }

  const dir = mkdtempSync(join(tmpdir(), 'callevt-bench-'));
  const server = spawnCallevt(join(dir, 'bench.db'));
  try {
    const url = await waitFor(server, /"url":"(http:\/\/[^"]+)"/);
    await measure('callevt serve (SQLite, WAL, synchronous=FULL)', `${url}/callbacks/call-event`);
  } finally {
    server.kill();
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(name: string, url: string): Promise<void> {
  const transport = createHttpTransport(url, { concurrency: CONCURRENCY });
  try {
    const { stats, elapsedMs } = await runSimulation(
      { ...DEFAULT_TRAFFIC, seed: 'bench', epoch: Math.floor(Date.now() / 1000) },
      transport.send,
      { concurrency: CONCURRENCY, ratePerSec: null, maxItems: null, durationMs: DURATION_SEC * 1000, retries: 0, collectTruth: false },
    );
    const odd = stats.byClass['3xx'] + stats.byClass['5xx'] + stats.byClass.error;
    const rate = Math.round(stats.requests / (elapsedMs / 1000));
    console.log(`| ${name} | ${stats.requests} | ${rate} | ${stats.latency.percentile(0.5).toFixed(2)} | ${stats.latency.percentile(0.99).toFixed(2)} | ${odd} |`);
  } finally {
    transport.close();
  }
}

/** callevt's CLI, compiled (dist) when this file is compiled, else through tsx. */
function spawnCallevt(dbFile: string): ChildProcess {
  const compiled = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const args = existsSync(compiled) ? [compiled] : ['--import', 'tsx', compiled.replace(/\.js$/, '.ts')];
  return spawn(process.execPath, [...args, 'serve', '--host', '127.0.0.1', '--port', '0', '--db', dbFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'info', API_TOKEN: '' },
  });
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen.slice(0, 500)}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${seen.slice(0, 500)}`)));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
