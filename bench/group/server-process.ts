import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The checkout's root: servers run from its sources through tsx, as in bench/ingest. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `callevt serve` on loopback, port 0, on the database `db` (a SQLite file or a postgres://
 * URL), from this checkout or from another one (`tree`: a checkout of another commit with
 * `node_modules` linked in).
 */
export function serveArgs(db: string, tree = ROOT): string[] {
  return [join(tree, 'src/cli/main.ts'), 'serve', '--host', '127.0.0.1', '--port', '0', '--db', db];
}

/**
 * Starts a server child process (with `nodeArgs` before its script, e.g. `--cpu-prof`) and
 * resolves with the URL of its first JSON log line that has one, once /readyz answers.
 */
export async function startServer(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', ...args], {
    cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { url?: string };
        if (entry.url) resolve(entry.url);
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  await fetch(`${url}/readyz`).then((res) => res.arrayBuffer());
  return { child, url };
}

export function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
