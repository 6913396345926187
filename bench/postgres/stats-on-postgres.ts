import { loadConfig } from '../../src/config/load-config.js';
import { buildApp } from '../../src/http/build-app.js';
import { createPostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { createBenchSchema } from './bench-schema.js';
import { copySqliteToPostgres } from './copy-sqlite-to-postgres.js';

/** Most calls copied into PostgreSQL, so that the PostgreSQL part stays bounded in time. */
export const MAX_POSTGRES_STATS_CALLS = 3_000_000;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
}

/**
 * The statistics benchmark on PostgreSQL: copies the seeded SQLite calls and rollups into
 * a throwaway schema, then times the same queries through the API (server time from
 * Server-Timing), rollups against the full-scan baseline (exact=true), as the SQLite part does.
 */
export async function benchStatsOnPostgres(
  sqliteFile: string,
  pgUrl: string,
  queries: ReadonlyArray<readonly [string, string]>,
  runs: number,
): Promise<void> {
  const schema = await createBenchSchema(pgUrl);
  try {
    const store = await createPostgresStore(schema.url); // migrations make the same tables
    const started = performance.now();
    const copied = await copySqliteToPostgres(sqliteFile, schema.url, ['calls', 'call_rollups']);
    if ((copied.calls ?? 0) > MAX_POSTGRES_STATS_CALLS) throw new Error(`more than ${MAX_POSTGRES_STATS_CALLS} calls: too long for PostgreSQL here`);
    console.log(`\nPostgreSQL: copied ${copied.calls?.toLocaleString('en-US')} calls and ${copied.call_rollups?.toLocaleString('en-US')} rollup rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const { app } = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), store });
    console.log('\n| query (PostgreSQL) | path | server ms (median) | min | max | runs |\n|---|---|---:|---:|---:|---:|');
    for (const [name, url] of queries) {
      for (const [path, suffix, n] of [['rollups', '', runs], ['full scan (exact=true)', '&exact=true', 3]] as const) {
        const times: number[] = [];
        for (let i = 0; i <= n; i++) {
          const res = await app.inject({ url: `${url}${suffix}` });
          if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
          const timing = /dur=([\d.]+)/.exec(String(res.headers['server-timing']));
          if (i > 0) times.push(Number(timing?.[1])); // the first run warms the cache
        }
        console.log(`| ${name} | ${path} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} | ${n} |`);
      }
    }
    await app.close();
    await store.close();
  } finally {
    await schema.drop();
  }
}
