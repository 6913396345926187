import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { type ConfigEnv, loadConfig } from '../../src/config/load-config.js';
import { type RunningServer, startServer } from '../../src/server.js';

/** Debian's chromium: the browser tests never download one. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Where screenshots go (ignored by git). */
export const ARTIFACTS_DIR = 'test-artifacts';

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} is missing (apt-get install -y chromium); browser tests skipped`;
}

/** A real callevt server on port 0 with a fresh temp-file SQLite database. */
export async function startTestServer(env: ConfigEnv = {}): Promise<{ server: RunningServer; url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'callevt-browser-'));
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', DATABASE_URL: join(dir, 'calls.db'), LOG_LEVEL: 'silent', ...env });
  const server = await startServer(config);
  return {
    server,
    url: server.url,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Headless chromium with a new empty profile; `close()` removes the profile. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'callevt-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `${base}/${hash}` in a new page of `context` that records its script errors and
 * console errors (CSP refusals among them), each prefixed with the hash, in `errors`; waits
 * at most `waitMs` for anything on it. `dark` and `phone` set the colour scheme and a phone's
 * viewport first; with `loaded`, it returns once the view has loaded (#view[data-loaded]).
 */
export async function openRecordedPage(
  context: BrowserContext,
  base: string,
  hash: string,
  options: { errors: string[]; waitMs: number; dark?: boolean; phone?: boolean; loaded?: boolean },
): Promise<Page> {
  const { errors } = options;
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(`${hash}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${hash}: ${message.text()}`);
  });
  page.setDefaultTimeout(options.waitMs);
  if (options.dark) await page.emulateMedia({ colorScheme: 'dark' });
  if (options.phone) await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/${hash}`);
  if (options.loaded) await page.waitForSelector('#view[data-loaded="true"]');
  return page;
}

/** The path of a screenshot, creating the artifacts folder. */
export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, `${name}.png`);
}

/** GETs an API path as JSON (with a token when given); throws on an error answer. */
export async function apiJson<T>(base: string, path: string, token?: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Whether the server has a route for an API path (not merged yet → false). */
export async function hasRoute(base: string, path: string): Promise<boolean> {
  const response = await fetch(`${base}${path}`);
  if (response.status !== 404) return true;
  const body = (await response.json()) as { error?: { message?: string } };
  return !(body.error?.message ?? '').startsWith('No route');
}

/** Delivers one callback the way LINE Planet does (GET with query keys); returns the status. */
export async function deliver(base: string, values: Record<string, string>): Promise<number> {
  const response = await fetch(`${base}/callbacks/call-event?${new URLSearchParams(values).toString()}`);
  await response.arrayBuffer();
  return response.status;
}
