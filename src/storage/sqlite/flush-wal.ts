import { datasyncFile } from './wal-sync.js';

/**
 * Writes a SQLite database's WAL file to disk on a libuv thread, off the event loop. The
 * retention job commits without waiting for the disk (its batches can be removed again):
 * flushing after each batch keeps the next ingest commit's sync from paying for the
 * batch's pages too. Nothing to do for an in-memory database or when no WAL file exists.
 */
export async function flushWal(file: string): Promise<void> {
  if (file === ':memory:') return;
  await datasyncFile(`${file}-wal`);
}
