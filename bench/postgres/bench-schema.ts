import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A throwaway schema for one benchmark run on PostgreSQL, so that benchmarks never touch
 * anyone's tables: `url` selects it (`?schema=`), `drop()` removes it.
 */
export interface BenchSchema {
  url: string;
  /** How many calls the schema holds now. */
  countCalls(): Promise<number>;
  drop(): Promise<void>;
}

/** The PostgreSQL URL a benchmark was given (`--db postgres://...` or BENCH_PG_URL), or null. */
export function benchPostgresUrl(argv: readonly string[] = process.argv): string | null {
  const i = argv.indexOf('--db');
  const url = (i === -1 ? undefined : argv[i + 1]) ?? process.env.BENCH_PG_URL ?? null;
  if (url === null || !/^postgres(ql)?:\/\//.test(url)) return null;
  if (!/^postgres(ql)?:\/\/([^@/]*@)?(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) {
    throw new Error('benchmarks run on loopback only: use a postgres://...@127.0.0.1/... URL');
  }
  return url;
}

export async function createBenchSchema(baseUrl: string): Promise<BenchSchema> {
  const schema = `callevt_bench_${randomBytes(4).toString('hex')}`;
  const run = async <T>(fn: (c: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  await run((c) => c.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return {
    url: url.toString(),
    countCalls: () =>
      run(async (c) => {
        const exists = await c.query('SELECT to_regclass($1) AS t', [`${schema}.calls`]);
        if (exists.rows[0].t === null) return 0;
        return Number((await c.query(`SELECT count(*) AS n FROM ${schema}.calls`)).rows[0].n);
      }),
    drop: () => run((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}
