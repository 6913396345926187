/**
 * An open-loop load generator at a fixed rate, in a process of its own: request i is due at
 * start + i / rate, whatever the server did with the earlier ones, and its latency counts
 * from when it was due (not from when a connection was free to send it), so that a stall
 * shows in full in every request it held up (no coordinated omission).
 *
 * autocannon's `overallRate` is not this: each connection fires its per-second share back to
 * back at the top of every second and then waits, so "half the maximum rate" is saturation
 * for half of each second (and its latencies are "corrected" with a 1 ms expected interval).
 *
 * Run by bench/ingest/run.ts and bench/notify/run.ts: `fixed-rate-load.ts <url> <rate> <seconds>
 * <connections> <before> <after> [varied|fixture] [warm-up seconds]` prints one JSON line (latencies in ms). The URL's
 * path is the endpoint loaded (the Call Event's when the URL has none); any 2xx counts as answered. With `varied`, each callback is built afresh with
 * a talk time of 1–1,200 s ending just now (live traffic: the current hour's duration
 * histograms grow to hundreds of buckets), not the fixture's one talk time.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Agent, get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { validCallbackValues } from '../../test/fixtures/callback-fixture.js';
import { type Answered, createSocketClient } from './socket-client.js';

/** Longest talk time of the varied traffic, in seconds. */
const MAX_TALK_SEC = 1_200;

/** A callback query with a new sid and a talk time of 1–MAX_TALK_SEC s that ended a second ago. */
export function liveCallbackQuery(sid: string = randomUUID()): string {
  const talk = 1 + Math.floor(Math.random() * MAX_TALK_SEC);
  const end = Math.floor(Date.now() / 1000) - 1;
  const values = validCallbackValues({
    sid, setup_time: String(end - talk - 5), start_time: String(end - talk), end_time: String(end), duration: String(talk), billing_sec: String(talk),
  });
  return new URLSearchParams(values).toString();
}

/**
 * Which client sends the requests (BENCH_GENERATOR): 'sockets', a lean keep-alive client on
 * raw TCP connections (socket-client.ts, the default), or 'node-http', node:http's Agent, as
 * before 2026-12-04. The generator shares the machine with the server: the leaner it is, the
 * less of its own delay counts as the server's latency. Run against the bare server, either
 * shows its own floor (bench/ingest/run.ts' `bare-fixed` case).
 */
export type GeneratorClient = 'sockets' | 'node-http';

export function generatorClient(): GeneratorClient {
  const chosen = process.env.BENCH_GENERATOR ?? 'sockets';
  if (chosen !== 'sockets' && chosen !== 'node-http') throw new Error(`BENCH_GENERATOR must be sockets or node-http, not ${chosen}`);
  return chosen;
}

/** Sends one GET and tells its status (0: no answer); `close` lets go of the connections. */
interface Sender {
  get(path: string, answered: Answered): void;
  close(): void;
}

function nodeHttpSender(hostname: string, port: number, connections: number): Sender {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    get(path, answered) {
      const request = get({ agent, host: hostname, port, path }, (res) => {
        res.resume();
        res.once('end', () => answered(res.statusCode ?? 0));
      });
      request.once('error', () => answered(0));
    },
    close: () => agent.destroy(),
  };
}

/** How long the generator waits for answers still in flight after the last request is due, in milliseconds. */
const DRAIN_TIMEOUT_MS = 5_000;

/** What one fixed-rate run reports (latencies in ms, from each request's due time). */
export interface FixedRateResult {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** When the slowest request was due, Unix ms (only this generator tells). */
  maxDueAt?: number;
  /** When the first measured request was due, Unix ms (only this generator tells). */
  startedAt?: number;
  /** The slowest 1 % of requests (only this generator tells). */
  slowest?: SlowRequest[];
  ok: number;
  failed: number;
}

/** One of the slowest requests: when it was due (Unix ms), its latency and how late it was sent (ms), its sid. */
export type SlowRequest = [due: number, latency: number, sentLate: number, sid: string];

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Sends `rate` × `seconds` callbacks to `url`, each with a new sid between `before` and `after`.
 * With `warmupSeconds`, the same load runs that long first, unmeasured, on the same connections:
 * the generator's own start (a fresh process compiling its code, 50 connections opened while
 * requests fall due) would otherwise count as the server's latency.
 */
export async function runFixedRate(url: string, rate: number, seconds: number, connections: number, before: string, after: string, varied = false, warmupSeconds = 0): Promise<FixedRateResult> {
  const { hostname, port } = new URL(url);
  const sender = generatorClient() === 'sockets' ? createSocketClient(hostname, Number(port), connections) : nodeHttpSender(hostname, Number(port), connections);
  try {
    if (warmupSeconds > 0) await loadAtRate(sender, url, rate, warmupSeconds, before, after, varied);
    return await loadAtRate(sender, url, rate, seconds, before, after, varied);
  } finally {
    sender.close();
  }
}

function loadAtRate(sender: Sender, url: string, rate: number, seconds: number, before: string, after: string, varied: boolean): Promise<FixedRateResult> {
  const { pathname } = new URL(url);
  const endpoint = pathname === '/' ? '/callbacks/call-event' : pathname;
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const answers: SlowRequest[] = [];
  let ok = 0;
  let failed = 0;
  let sent = 0;
  let slowest = { latency: -1, due: 0 };
  const start = performance.now();
  return new Promise((resolve) => {
    let lastAnswer = start;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      latencies.sort((a, b) => a - b);
      failed += total - ok - failed; // never answered within DRAIN_TIMEOUT_MS
      const ms = (value: number) => Math.round(value * 10) / 10;
      const p99 = percentile(latencies, 99);
      resolve({
        rps: ok / ((lastAnswer - start) / 1000),
        p50: ms(percentile(latencies, 50)),
        p99: ms(percentile(latencies, 99)),
        p999: ms(percentile(latencies, 99.9)),
        max: ms(latencies.at(-1) ?? Number.NaN),
        maxDueAt: Math.round(performance.timeOrigin + slowest.due),
        startedAt: Math.round(performance.timeOrigin + start),
        slowest: answers.filter(([, latency]) => latency >= p99).map(([due, latency, late, sid]) => [ms(performance.timeOrigin + due), ms(latency), ms(late), sid]),
        ok,
        failed,
      });
    };
    const answered = (due: number, sentAt: number, sid: string, success: boolean) => {
      if (finished) return;
      lastAnswer = performance.now();
      latencies.push(lastAnswer - due);
      answers.push([due, lastAnswer - due, sentAt - due, sid]);
      if (lastAnswer - due > slowest.latency) slowest = { latency: lastAnswer - due, due };
      if (success) ok += 1;
      else failed += 1;
      if (ok + failed === total) finish();
    };
    const send = (due: number) => {
      const sid = randomUUID();
      const sentAt = performance.now();
      sender.get(`${endpoint}?${varied ? liveCallbackQuery(sid) : `${before}${sid}${after}`}`, (status) => answered(due, sentAt, sid, status >= 200 && status < 300));
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      for (; sent < due; sent += 1) send(start + (sent * 1000) / rate);
      if (sent < total) setTimeout(tick, 1);
      else setTimeout(finish, DRAIN_TIMEOUT_MS).unref();
    };
    tick();
  });
}

/**
 * runFixedRate in a process of its own (so that the generator never shares the benchmark's
 * event loop), through this file's command line; resolves with its one JSON line.
 */
export async function runFixedRateInChild(url: string, rate: number, seconds: number, connections: number, before: string, after: string, varied = false, warmupSeconds = 0): Promise<FixedRateResult> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const args = [fileURLToPath(import.meta.url), url, String(rate), String(seconds), String(connections), before, after, varied ? 'varied' : 'fixture', String(warmupSeconds)];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fixed-rate-load exited with ${code}`)))));
  return JSON.parse(text) as FixedRateResult;
}

if (process.argv[1]?.endsWith('fixed-rate-load.ts')) {
  const [url = '', rate = '0', seconds = '0', connections = '50', before = '', after = '', varied, warmup = '0'] = process.argv.slice(2);
  const result = await runFixedRate(url, Number(rate), Number(seconds), Number(connections), before, after, varied === 'varied', Number(warmup));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
