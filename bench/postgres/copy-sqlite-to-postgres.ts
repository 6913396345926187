import Database from 'better-sqlite3';
import pg from 'pg';

/** Rows per INSERT: each column travels as one array parameter. */
const COPY_CHUNK_ROWS = 10_000;

/**
 * Copies whole tables from a SQLite file into a PostgreSQL schema with the same layout
 * (both made by callevt's migrations), so that a benchmark can seed once and measure
 * both databases on identical data. Returns the rows copied per table.
 */
export async function copySqliteToPostgres(file: string, pgUrl: string, tables: readonly string[]): Promise<Record<string, number>> {
  const source = new Database(file, { readonly: true });
  const client = new pg.Client({ connectionString: pgUrl.replace(/[?&]schema=([a-z0-9_]+)/, '') });
  const schema = /[?&]schema=([a-z0-9_]+)/.exec(pgUrl)?.[1] ?? 'public';
  await client.connect();
  const copied: Record<string, number> = {};
  const withIds: string[] = [];
  try {
    await client.query(`SET search_path = ${schema}`);
    for (const table of tables) {
      const types = new Map((await client.query(
        'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, table],
      )).rows.map((r) => [r.column_name as string, r.data_type as string]));
      if (types.has('id')) withIds.push(table);
      const columns = (source.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
      const casts = columns.map((c, i) => `$${i + 1}::${types.get(c) === 'text' ? 'text' : types.get(c) === 'integer' ? 'int' : 'bigint'}[]`);
      const insert = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
      let chunk: unknown[][] = columns.map(() => []);
      let n = 0;
      const flush = async () => {
        if ((chunk[0]?.length ?? 0) === 0) return;
        await client.query(insert, chunk);
        chunk = columns.map(() => []);
      };
      for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw().iterate() as Iterable<unknown[]>) {
        row.forEach((value, i) => {
          chunk[i]?.push(value);
        });
        n += 1;
        if (n % COPY_CHUNK_ROWS === 0) await flush();
      }
      await flush();
      copied[table] = n;
    }
    // Identity columns continue after the copied ids.
    for (const table of withIds) {
      const seq = (await client.query('SELECT pg_get_serial_sequence($1, $2) AS s', [table, 'id'])).rows[0]?.s as string | null;
      if (seq) await client.query(`SELECT setval($1, GREATEST((SELECT max(id) FROM ${table}), 1))`, [seq]);
    }
    await client.query('ANALYZE');
  } finally {
    source.close();
    await client.end();
  }
  return copied;
}
