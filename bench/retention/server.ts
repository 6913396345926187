/**
 * The retention benchmark's server: a real callevt server (startServer, RETENTION_* from the
 * environment) that also answers commands on stdin, one JSON line each on stdout:
 * `reset` clears its event-loop delay histogram, `read` reports it, `run` runs the
 * retention job once (as the scheduler would) and reports its duration, its report and
 * the event-loop delay while it ran (then clears the histogram again). Each answer also
 * tells the WAL hand-offs so far (commits that waited for the checkpoint thread). Started by bench/retention/run.ts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server.js';

const server = await startServer(loadConfig({ ...process.env, LOG_LEVEL: 'warn' }));
/** 1 ms: a block shows as its length plus at most 1 ms (each sample is the time between two ticks). */
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
/** The SQLite store's WAL hand-offs so far (commits that waited for the checkpoint thread), when the store tells. */
const handOffs = () => (server.store as { walHandOffs?: number }).walHandOffs ?? null;
const loop = () => ({ loopMaxMs: delay.max / 1e6, loopP99Ms: delay.percentile(99) / 1e6, walHandOffs: handOffs() });
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
    const report = await server.retention?.runOnce();
    say({ jobMs: performance.now() - started, report, ...loop() });
    // What follows the job until the next `read` (the load goes on): measured apart.
    delay.reset();
  } else if (line === 'stop') {
    break;
  }
}
await server.close();
// stdin stays open (the parent holds it): leave explicitly.
process.exit(0);
