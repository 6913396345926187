import type { Command } from 'commander';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from '../../storage/open-store.js';
import { seedSqliteCalls } from '../../seed/seed-calls.js';
import { seedSqliteGroupSessions } from '../../seed/seed-group-sessions.js';
import { plural } from '../../domain/plural.js';

interface SeedCliOptions {
  calls: string;
  days: string;
  db?: string;
  seed: string;
  group?: boolean;
  sessions?: string;
  maxParticipants?: string;
}

/** Most calls one seed run writes. */
export const MAX_SEED_CALLS = 100_000_000;

/** Most group room sessions one seed run writes (about 15 events and 6 stays each with the default rooms). */
export const MAX_SEED_SESSIONS = 10_000_000;

/** Most participants of a seeded room. */
export const MAX_SEED_PARTICIPANTS = 1_000;

/** `callevt seed`: fill a SQLite database with realistic synthetic calls, for demos and benchmarks. */
export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('fill a SQLite database with realistic synthetic calls (outcome mix, reasons, long-tailed durations)')
    .option('--calls <N>', 'how many calls', '100000')
    .option('--days <D>', 'spread over this many days, ending now', '30')
    .option('--db <file>', 'SQLite database file (env DATABASE_URL; default ./data/callevt.db)')
    .option('--seed <S>', 'random seed: the same seed gives the same calls', '1')
    .option('--group', 'seed group call room sessions (events, sessions and stays) instead of 1-to-1 calls')
    .option('--sessions <N>', '(--group) how many room sessions (default 100000)')
    .option('--max-participants <N>', '(--group) most participants of a room, host included (default 8)')
    .action((options: SeedCliOptions, command: Command) => {
      if (options.group === true) {
        if (command.getOptionValueSource('calls') === 'cli') throw new Error('--calls seeds 1-to-1 calls: give --sessions with --group');
        seedGroup(options);
        return;
      }
      if (options.sessions !== undefined || options.maxParticipants !== undefined) throw new Error('--sessions and --max-participants go with --group');
      const calls = wholeNumber(options.calls, '--calls', 1, MAX_SEED_CALLS);
      const days = wholeNumber(options.days, '--days', 1, 3_650);
      const seed = wholeNumber(options.seed, '--seed', 0, 2 ** 32 - 1);
      const location = parseDatabaseUrl(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
      if (location.dialect !== 'sqlite') throw new Error('seed writes SQLite only: give --db FILE');
      const bar = progressBar(process.stderr, calls, calls === 1 ? 'call' : 'calls');
      const result = seedSqliteCalls(location.file, { calls, days, seed, end: Math.floor(Date.now() / 1000) }, (done, stage) => {
        if (stage === undefined) bar.update(done);
        else bar.note(`building index ${stage.built + 1} of ${stage.total} (${stage.indexing})`);
      });
      bar.done();
      const rate = Math.round(result.calls / result.seconds);
      process.stdout.write(`seeded ${plural(result.calls, 'call')} over ${plural(days, 'day')} into ${location.file} ` +
        `in ${result.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} calls/s)\n`);
    });
}

/** `callevt seed --group`: room sessions of the group simulator, with their events and stays. */
function seedGroup(options: SeedCliOptions): void {
  const sessions = wholeNumber(options.sessions ?? '100000', '--sessions', 1, MAX_SEED_SESSIONS);
  const days = wholeNumber(options.days, '--days', 1, 3_650);
  const seed = wholeNumber(options.seed, '--seed', 0, 2 ** 32 - 1);
  const maxParticipants = wholeNumber(options.maxParticipants ?? '8', '--max-participants', 2, MAX_SEED_PARTICIPANTS);
  const location = parseDatabaseUrl(options.db ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  if (location.dialect !== 'sqlite') throw new Error('seed writes SQLite only: give --db FILE');
  const bar = progressBar(process.stderr, sessions, sessions === 1 ? 'session' : 'sessions');
  const result = seedSqliteGroupSessions(location.file, { sessions, days, seed, maxParticipants, end: Math.floor(Date.now() / 1000) }, (done, indexing) => {
    if (indexing === undefined) bar.update(done);
    else bar.note(`building index ${indexing}`);
  });
  bar.done();
  const rate = Math.round(result.sessions / result.seconds);
  process.stdout.write(`seeded ${plural(result.sessions, 'group session')} (${plural(result.events, 'event')}, ${plural(result.stays, 'stay')}) ` +
    `over ${plural(days, 'day')} into ${location.file} in ${result.seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} sessions/s)\n`);
}

function wholeNumber(raw: string, name: string, min: number, max: number): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Width of the progress bar, in characters. */
const BAR_CHARS = 30;

/**
 * A one-line progress bar on a stream (stderr): `[#####-----]  45%  4,500,000/10,000,000 calls  120,000/s`,
 * and after the count, notes of what follows (`note`) on the same line. Without a terminal, one line each.
 */
export function progressBar(stream: { write(text: string): unknown; isTTY?: boolean }, total: number, unit: string) {
  const started = performance.now();
  const line = (done: number) => {
    const share = Math.min(1, done / total);
    const filled = Math.round(share * BAR_CHARS);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `[${'#'.repeat(filled)}${'-'.repeat(BAR_CHARS - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ` +
      `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}  ${rate.toLocaleString('en-US')}/s`;
  };
  let last = '';
  let counted = 0;
  const show = (text: string) => {
    // On a terminal the line is rewritten in place: spaces clear what a longer line left.
    stream.write(stream.isTTY ? `\r${text.padEnd(last.length)}` : `${text}\n`);
    last = text;
  };
  return {
    update: (done: number) => {
      counted = done;
      show(line(done));
    },
    note: (text: string) => show(`${line(counted)}  ${text}`),
    done: () => {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
