/**
 * The retention benchmark's server: a real callevt server (startServer, RETENTION_* from the
 * environment) that also answers commands on stdin, one JSON line each on stdout:
 * `reset` clears its event-loop delay histogram, `read` reports it, `run` runs the
 * retention job once (what the scheduler runs, retention-job.ts) and reports its duration, its report and
 * the event-loop delay while it ran (then clears the histogram again). Each answer also
 * tells the WAL hand-offs so far (commits that waited for the checkpoint thread); `run`'s
 * also gives the job's timeline (each step's first batch, WAL hand-offs, event-loop blocks
 * over BLOCK_MS, each split into time on a core, waiting for one, and blocked in the kernel). Started by bench/retention/run.ts.
 */
import { readFileSync } from 'node:fs';
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

/**
 * The event-loop thread's time on a core and time waiting for one so far, in ms (Linux:
 * /proc/thread-self/schedstat), or NaN elsewhere. Over a block, what is neither was spent
 * blocked in the kernel (the disk: an fsync, a read).
 */
function loopThreadTimes(): { onCpu: number; waiting: number } {
  try {
    const [onCpu = Number.NaN, waiting = Number.NaN] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return { onCpu: onCpu / 1e6, waiting: waiting / 1e6 };
  } catch {
    return { onCpu: Number.NaN, waiting: Number.NaN };
  }
}
let lastTick = performance.now();
let lastTimes = loopThreadTimes();
let lastHandOffs = handOffs();
setInterval(() => {
  const now = performance.now();
  const at = Math.round(now - jobStart);
  if (timeline !== null) {
    // Only while the job runs: reading the file each tick costs a little.
    const times = loopThreadTimes();
    const length = now - lastTick - 1;
    if (length > BLOCK_MS) {
      const onCpu = times.onCpu - lastTimes.onCpu;
      const waiting = times.waiting - lastTimes.waiting;
      timeline.push({ atMs: at, event: `block ${length.toFixed(0)} ms (on a core ${onCpu.toFixed(0)}, waiting for one ${waiting.toFixed(0)}, blocked ${(length - onCpu - waiting).toFixed(0)})` });
    }
    lastTimes = times;
  }
  const h = handOffs();
  if (timeline !== null && h !== lastHandOffs) timeline.push({ atMs: at, event: 'WAL hand-off' });
  lastHandOffs = h;
  lastTick = now;
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
    lastTimes = loopThreadTimes();
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
