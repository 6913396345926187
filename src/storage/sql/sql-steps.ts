/**
 * Maintenance work (erasure, retention) written once for every SQL database: a generator
 * yields statements with `?` placeholders and receives each one's rows and change count.
 * SQLite runs it synchronously inside one IMMEDIATE transaction, so that no callback
 * batch of the same connection can slip in between two statements; PostgreSQL runs it
 * on one pooled client between BEGIN and COMMIT.
 */
export interface SqlStatement {
  sql: string;
  params: readonly unknown[];
}

/** What a statement gave back: its rows (none for a write), and how many rows it changed. */
export interface SqlResult {
  rows: Array<Record<string, unknown>>;
  changes: number;
}

/** One transaction's worth of statements, ending with its result. */
export type SqlSteps<T> = Generator<SqlStatement, T, SqlResult>;

/** Which SQL database steps run on, where the text differs. */
export type SqlDialectName = 'sqlite' | 'postgres';

/** Runs one SqlSteps in a transaction of its own; the adapters give one each. */
export interface SqlStepRunner {
  readonly dialect: SqlDialectName;
  /**
   * `durable: false` commits without waiting for the disk (SQLite synchronous=NORMAL,
   * PostgreSQL synchronous_commit=off): for work that is simply done again if a crash loses
   * it (retention). The next durable commit flushes it too, so nothing acknowledged is at risk.
   */
  transaction<T>(steps: () => SqlSteps<T>, options?: { durable?: boolean }): Promise<T>;
}

/** A statement for `yield`. */
export function sql(text: string, ...params: unknown[]): SqlStatement {
  return { sql: text, params };
}

/** `?, ?, ?` for an IN list of n values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** Drives steps with a synchronous executor (SQLite). */
export function driveSync<T>(steps: SqlSteps<T>, execute: (s: SqlStatement) => SqlResult): T {
  let next = steps.next();
  while (next.done !== true) next = steps.next(execute(next.value));
  return next.value;
}

/** Drives steps with an asynchronous executor (PostgreSQL). */
export async function driveAsync<T>(steps: SqlSteps<T>, execute: (s: SqlStatement) => Promise<SqlResult>): Promise<T> {
  let next = steps.next();
  while (next.done !== true) next = steps.next(await execute(next.value));
  return next.value;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our statements hold no `?` elsewhere). */
export function numberedPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}
