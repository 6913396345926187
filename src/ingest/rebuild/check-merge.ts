/** Reads one side's rows in key order, a chunk at a time, starting after `after`. */
export type ChunkReader<T> = (after: number, limit: number) => Promise<T[]>;

/** Rows read per round trip on each side. */
const MERGE_CHUNK_ROWS = 1_000;

/** The rows of one side in ascending key order, read in chunks (never all in memory). */
async function* inKeyOrder<T>(read: ChunkReader<T>, keyOf: (row: T) => number): AsyncGenerator<T> {
  for (let after = 0; ;) {
    const rows = await read(after, MERGE_CHUNK_ROWS);
    yield* rows;
    if (rows.length < MERGE_CHUNK_ROWS) return;
    after = keyOf(rows.at(-1) as T);
  }
}

/**
 * Walks two key-ordered tables side by side, like a merge join: `visit` gets each key
 * with the row of either side (undefined where that side lacks it).
 */
export async function mergeByKey<T>(
  left: ChunkReader<T>,
  right: ChunkReader<T>,
  keyOf: (row: T) => number,
  visit: (key: number, left: T | undefined, right: T | undefined) => Promise<void> | void,
): Promise<void> {
  const a = inKeyOrder(left, keyOf);
  const b = inKeyOrder(right, keyOf);
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    const kx = x.done ? Number.POSITIVE_INFINITY : keyOf(x.value);
    const ky = y.done ? Number.POSITIVE_INFINITY : keyOf(y.value);
    if (kx === ky) {
      await visit(kx, x.value as T, y.value as T);
      x = await a.next();
      y = await b.next();
    } else if (kx < ky) {
      await visit(kx, x.value as T, undefined);
      x = await a.next();
    } else {
      await visit(ky, undefined, y.value as T);
      y = await b.next();
    }
  }
}
