/**
 * The retention benchmark's server: a real callevt server (startServer, RETENTION_* from the
 * environment) that also answers commands on stdin, one JSON line each on stdout:
 * `reset` clears its event-loop delay histogram, `read` reports it, `run` runs the
 * retention job once (what the scheduler runs, retention-job.ts) and reports its duration, its report and
 * the event-loop delay while it ran (then clears the histogram again). Each answer also
 * tells the WAL hand-offs so far (commits that waited for the checkpoint thread); `run`'s
 * also gives the job's timeline (hand-offs, event-loop blocks over BLOCK_MS). Started by bench/retention/run.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const server = await startServer(config);
/** 1 ms: a block shows as its length plus at most 1 ms (each sample is the time between two ticks). */
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
/** The SQLite store's WAL hand-offs so far (commits that waited for the checkpoint thread), when the store tells. */
const handOffs = () => (server.store as { walHandOffs?: number }).walHandOffs ?? null;
const loop = () => ({ loopMaxMs: delay.max / 1e6, loopP99Ms: delay.percentile(99) / 1e6, walHandOffs: handOffs() });
/**
 * A timeline of the job for finding what held ingest: every WAL hand-off and every tick of a
 * 1 ms timer that came more than BLOCK_MS late, in ms since the job started.
 */
const BLOCK_MS = 20;
let timeline: Array<{ atMs: number; event: string }> | null = null;
let jobStart = 0;
let lastTick = performance.now();
let lastCpu = process.cpuUsage();
let lastHandOffs = handOffs();
setInterval(() => {
  const now = performance.now();
  const cpu = process.cpuUsage();
  const at = Math.round(now - jobStart);
  // The process's CPU time over the block (every thread): near its length when the block is
  // work of ours, far under it when the process waited (for the disk, or for a core).
  const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
  if (timeline !== null && now - lastTick > BLOCK_MS + 1) timeline.push({ atMs: at, event: `block ${(now - lastTick - 1).toFixed(0)} ms (cpu ${cpuMs.toFixed(0)} ms)` });
  const h = handOffs();
  if (timeline !== null && h !== lastHandOffs) timeline.push({ atMs: at, event: 'WAL hand-off' });
  lastHandOffs = h;
  lastTick = now;
  lastCpu = cpu;
}, 1).unref();
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
say({ url: server.url });

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'reset') {
    delay.reset();
    say({ ok: true });
  } else if (line === 'read') {
    say(loop());
  } else if (line === 'run') {
    delay.reset();
    const started = performance.now();
    jobStart = started;
    timeline = [];
    const startedAt = Date.now();
    // What the scheduled job runs (retention-job.ts), with each step's first batch on the timeline.
    let step = '';
    const report = await server.store.applyRetention({
      policy: config.retention.policy, now: Date.now(), batchSize: config.retention.batchRows,
      onBatch: (table) => {
        if (table !== step) timeline?.push({ atMs: Math.round(performance.now() - started), event: `first ${table} batch done` });
        step = table;
      },
    });
    say({ jobMs: performance.now() - started, startedAt, report, ...loop(), timeline });
    timeline = null;
    // What follows the job until the next `read` (the load goes on): measured apart.
    delay.reset();
  } else if (line === 'stop') {
    break;
  }
}
await server.close();
// stdin stays open (the parent holds it): leave explicitly.
process.exit(0);
