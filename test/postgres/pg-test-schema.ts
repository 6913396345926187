import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';

/**
 * How the PostgreSQL tests find their database: PG_URL (or TEST_DATABASE_URL).
 * Without it they skip with a visible notice, unless REQUIRE_PG=1 (CI), where they fail.
 */
export const PG_TEST_URL = process.env.PG_URL ?? process.env.TEST_DATABASE_URL ?? null;
export const PG_REQUIRED = ['1', 'true', 'yes'].includes((process.env.REQUIRE_PG ?? '').toLowerCase());

/** A schema of its own for one test, so that test files running in parallel never meet. */
export interface TestSchema {
  schema: string;
  /** The database URL with `?schema=` selecting this schema. */
  url: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** Creates `callevt_<random>` in the test database. */
export async function createTestSchema(baseUrl: string): Promise<TestSchema> {
  const schema = `callevt_${randomBytes(6).toString('hex')}`;
  await withClient(baseUrl, (c) => c.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(baseUrl);
  url.searchParams.set('schema', schema);
  return {
    schema,
    url: url.toString(),
    drop: () => withClient(baseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** Runs one function on a short-lived connection to the test database. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * `describe` for tests that need PostgreSQL: runs `body(url)` when a URL is set;
 * otherwise shows a skipped test that says why (or fails when REQUIRE_PG=1).
 */
export function describePostgres(name: string, body: (url: string) => void): void {
  const url = PG_TEST_URL;
  if (url !== null) {
    describe(name, () => body(url));
    return;
  }
  if (PG_REQUIRED) {
    describe(name, () => {
      it('fails: REQUIRE_PG=1 but neither PG_URL nor TEST_DATABASE_URL is set', () => {
        throw new Error('REQUIRE_PG=1 but neither PG_URL nor TEST_DATABASE_URL is set');
      });
    });
    return;
  }
  console.warn(`[callevt] ${name}: SKIPPED, set PG_URL=postgres://... to run the PostgreSQL tests`);
  describe(name, () => {
    it('skipped: PG_URL (or TEST_DATABASE_URL) is not set, so PostgreSQL was not tested', { skip: 'PG_URL is not set' }, () => {});
  });
}
