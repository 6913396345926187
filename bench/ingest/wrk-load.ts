/**
 * wrk (Debian's `wrk` package) as an external load generator: a process of its own, in C,
 * so that the load does not share the benchmark's event loop. Each request carries a new
 * sid, made by a Lua script from the callback's query around the sid.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one wrk run reports, in the benchmark's units (ms). */
export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  ok: number;
  failed: number;
}

/** Whether wrk is on the PATH (`apt-get install wrk`). */
export async function wrkAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('wrk', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', () => resolve(true));
  });
}

/** The Lua script: a fresh version-4-shaped UUID per request, counting non-2xx answers. */
function luaScript(before: string, after: string): string {
  return `
local before = ${JSON.stringify(before)}
local after = ${JSON.stringify(after)}
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
local function hex(n) local s = '' for _ = 1, n do s = s .. string.format('%x', math.random(0, 15)) end return s end
request = function()
  local sid = hex(8) .. '-' .. hex(4) .. '-4' .. hex(3) .. '-a' .. hex(3) .. '-' .. hex(12)
  return wrk.format('GET', before .. sid .. after)
end
`;
}

function millis(value: string, unit: string): number {
  const n = Number(value);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

/** Runs wrk against `url` + the callback path for `seconds` with `connections` open connections. */
export async function wrkLoad(dir: string, url: string, query: { before: string; after: string }, seconds: number, connections: number): Promise<WrkResult> {
  const script = join(dir, 'callback.lua');
  writeFileSync(script, luaScript(`/callbacks/call-event?${query.before}`, query.after));
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('wrk', ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-s', script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}`))));
  });
  const latency = (label: string) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(output);
    return m === null ? Number.NaN : millis(m[1] ?? '', m[2] ?? 'ms');
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)/m.exec(output);
  const total = Number(/(\d+) requests in/.exec(output)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = socketErrors === null ? 0 : socketErrors.slice(1).reduce((n, v) => n + Number(v), 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN),
    p50: latency('50%'),
    p99: latency('99%'),
    max: max === null ? Number.NaN : millis(max[1] ?? '', max[2] ?? 'ms'),
    ok: total - non2xx,
    failed: non2xx + errors,
  };
}
