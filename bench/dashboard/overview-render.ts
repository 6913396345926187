/**
 * Dashboard page weight and overview render time.
 *
 *   npx tsx bench/dashboard/overview-render.ts [--db FILE] [--runs N] [--ranges 1h,24h,7d,30d]
 *
 * 1. Page weight: the built files (dist/dashboard, run `npm run build` first), raw and gzipped
 *    as the server sends them.
 * 2. Render time of the overview in headless Debian chromium: from navigation to the KPI cards
 *    filled, and to every panel filled (all 14 API requests answered and drawn), for each
 *    preset range (a range stops at its first page over 60 s). Baseline in the same run: the same pages on an empty database. With
 *    --db (e.g. filled by `callevt seed`), the same on that database, opened read-write by a
 *    real server on 127.0.0.1 port 0. Bounded: N runs per case (default 5), 60 s per page.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server.js';

const DIST = join('dist', 'dashboard');
/** Longest wait for one page, in milliseconds: the benchmark stays bounded. */
const PAGE_TIMEOUT_MS = 60_000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function pageWeight(): void {
  const rows: Array<[string, number, number]> = [];
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  for (const file of walk(DIST)) {
    if (!/\.(js|css|html)$/.test(file)) continue;
    const body = readFileSync(file);
    rows.push([file.slice(DIST.length + 1), body.length, gzipSync(body, { level: 9 }).length]);
  }
  console.log('| file | bytes | gzipped bytes (as served) |\n|---|---:|---:|');
  for (const [name, raw, gz] of rows) console.log(`| ${name} | ${raw.toLocaleString('en-US')} | ${gz.toLocaleString('en-US')} |`);
  const js = rows.filter(([n]) => n.endsWith('.js')).reduce((s, [, , gz]) => s + gz, 0);
  const all = rows.reduce((s, [, , gz]) => s + gz, 0);
  console.log(`\nJS gzipped: ${js.toLocaleString('en-US')} bytes; everything gzipped: ${all.toLocaleString('en-US')} bytes\n`);
}

async function measure(label: string, databaseFile: string, runs: number, ranges: readonly string[]): Promise<void> {
  const server = await startServer(loadConfig({ HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseFile, LOG_LEVEL: 'silent' }));
  const profile = mkdtempSync(join(tmpdir(), 'callevt-bench-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    for (const range of ranges) {
      const kpi: number[] = [];
      const all: number[] = [];
      let timedOut = false;
      for (let run = 0; run < runs && !timedOut; run += 1) {
        const page = await context.newPage();
        page.setDefaultTimeout(PAGE_TIMEOUT_MS);
        const started = performance.now();
        try {
          await page.goto(`${server.url}/#/overview?range=${range}&live=0&tz=UTC`);
          await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } })
            .document.querySelector('[data-kpi="attempts"]')?.textContent !== '…');
          kpi.push(performance.now() - started);
          await page.waitForSelector('#view[data-generation="1"]');
          all.push(performance.now() - started);
          const attempts = await page.locator('[data-kpi="attempts"]').textContent();
          if (run === 0) console.log(`  ${label} ${range}: attempts on screen ${attempts}`);
        } catch (error) {
          timedOut = true; // the server keeps answering the queued queries: stop this case
          console.log(`  ${label} ${range}: gave up after ${PAGE_TIMEOUT_MS} ms (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
        } finally {
          await page.close();
        }
      }
      const show = (values: number[], pick: (v: number[]) => number) => (values.length === 0 ? `> ${PAGE_TIMEOUT_MS} ms` : `${pick(values).toFixed(0)} ms`);
      console.log(`| ${label} | ${range} | ${show(kpi, median)} | ${timedOut ? `> ${PAGE_TIMEOUT_MS} ms` : show(all, median)} | ${timedOut ? `> ${PAGE_TIMEOUT_MS} ms` : show(all, (v) => Math.max(...v))} | ${all.length} |`);
      if (timedOut) break;
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await server.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const runs = Math.min(20, Math.max(1, Number(arg('--runs') ?? 5)));
  const db = arg('--db');
  const ranges = (arg('--ranges') ?? '1h,24h,7d,30d').split(',').filter((r) => ['1h', '24h', '7d', '30d'].includes(r));
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${new Date().toISOString()}\n`);
  pageWeight();
  console.log('| database | range | KPIs shown (median) | all panels (median) | all panels (max) | runs |\n|---|---|---:|---:|---:|---:|');
  const empty = mkdtempSync(join(tmpdir(), 'callevt-bench-empty-'));
  try {
    await measure('empty (baseline)', join(empty, 'empty.db'), runs, ranges);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
  if (db !== undefined) await measure(db.split('/').pop() ?? db, db, runs, ranges);
}

await main();
