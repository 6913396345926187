import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const compiled = here.includes(join('dist', 'test'));
const root = join(here, compiled ? '../../..' : '../..');

/** A `callevt serve` child process. */
export interface Receiver {
  url: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts a real `callevt serve` (bin/callevt.js from the build; the TypeScript sources
 * through tsx when this file runs uncompiled) on a random loopback port.
 */
export function startReceiver(databaseUrl: string): Promise<Receiver> {
  const entry = compiled ? [join(root, 'bin/callevt.js')] : ['--import', 'tsx', join(root, 'src/cli/main.ts')];
  // Each receiver has a spool of its own, as on separate machines (one process per spool file).
  const spoolDir = mkdtempSync(join(tmpdir(), 'callevt-receiver-spool-'));
  const env = { ...process.env, LOG_LEVEL: 'info', DATABASE_URL: databaseUrl, SPOOL_FILE: join(spoolDir, 'spool.db') };
  const child = spawn(process.execPath, [...entry, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => rmSync(spoolDir, { recursive: true, force: true }));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'callevt is listening' && entry.url) {
          resolve({
            url: entry.url,
            child,
            stop() {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              return exited;
            },
          });
        }
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`receiver exited with ${code} before listening: ${stderr}`)));
  });
}
