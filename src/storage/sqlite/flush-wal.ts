import { open } from 'node:fs/promises';

/**
 * Writes a SQLite database's WAL file to disk on a libuv thread, off the event loop. The
 * retention job commits without waiting for the disk (its batches can be removed again):
 * flushing after each batch keeps the next ingest commit, which waits for the disk on the
 * event loop (synchronous=FULL), from paying for the batch's pages too. Nothing to do
 * for an in-memory database or when no WAL file exists.
 */
export async function flushWal(file: string): Promise<void> {
  if (file === ':memory:') return;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(`${file}-wal`, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
