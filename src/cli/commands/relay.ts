import type { Command } from 'commander';
import { plural } from '../../domain/plural.js';
import type { Answer } from '../../http/openapi/generated/api.js';
import { deadLetterAnswer, relayStatusAnswer } from '../../http/routes/relay-routes.js';
import { openStore } from '../../storage/open-store.js';
import type { CallStore } from '../../storage/port.js';
import { apiErrorMessage, requestApi } from '../api-client.js';
import { resolveReadTarget, type ServerTarget, type TargetOptions, unreachable } from '../server-target.js';
import { addSourceOptions } from './calls.js';

type RelayStatusJson = Answer<'getRelayStatus'>;
type DeadLetterPage = Answer<'listRelayDeadLetters'>;

/** What `callevt relay` reads and changes: a database's outbox directly, or a running server's through its API. */
interface RelaySource {
  status(): Promise<RelayStatusJson>;
  deadLetters(limit: number): Promise<DeadLetterPage>;
  retry(ids: readonly number[] | 'all'): Promise<number>;
  close(): Promise<void>;
}

/** `callevt relay status|dead-letters|retry`: the Call Event relay's outbox and its dead letters. */
export function registerRelay(program: Command): void {
  const relay = program.command('relay').description("the Call Event relay to your app's handler: outbox status, dead letters, retry");
  addSourceOptions(relay.command('status').description('how many relayed deliveries are pending, in flight, delivered and dead, and the oldest pending age'))
    .option('--json', 'print the status as JSON, like GET /api/relay/status')
    .action(async (options: TargetOptions & { json?: boolean }) => {
      process.stdout.write(await runRelayStatus(options));
    });
  addSourceOptions(relay.command('dead-letters').description('list the relayed deliveries the relay gave up on, newest first'))
    .option('--limit <n>', 'most entries to list (default 50)', '50')
    .action(async (options: TargetOptions & { limit: string }) => {
      process.stdout.write(await runRelayDeadLetters(options, Number(options.limit)));
    });
  addSourceOptions(relay.command('retry').description('put dead letters back in line (--id ones, or --all) with a fresh attempt count'))
    .option('--id <ids...>', 'these dead-letter ids')
    .option('--all', 'every dead letter')
    .action(async (options: TargetOptions & { id?: string[]; all?: boolean }) => {
      process.stdout.write(`${await runRelayRetry(options, retryIdsOf(options))}\n`);
    });
}

/** --id or --all, exactly one; ids are positive whole numbers. */
export function retryIdsOf(options: { id?: string[]; all?: boolean }): readonly number[] | 'all' {
  if (options.all === true && options.id === undefined) return 'all';
  if (options.all === true || options.id === undefined) throw new Error('name the dead letters to retry: --id <ids...> or --all (one of them)');
  return options.id.map((text) => {
    const id = /^\d{1,15}$/.test(text) ? Number(text) : 0;
    if (id < 1) throw new Error(`--id takes dead-letter ids, whole numbers from 1 (got "${text}")`);
    return id;
  });
}

export async function runRelayStatus(options: TargetOptions & { json?: boolean }): Promise<string> {
  const status = await withSource(options, (source) => source.status());
  if (options.json === true) return `${JSON.stringify(status, null, 2)}\n`;
  const age = status.oldest_pending_age_ms === null ? 'none pending' : `oldest pending received ${formatAge(status.oldest_pending_age_ms)} ago`;
  return `relay: ${status.pending} pending, ${status.in_flight} in flight, ${status.delivered} delivered, ${status.dead} dead; ${age}\n`;
}

export async function runRelayDeadLetters(options: TargetOptions, limit: number): Promise<string> {
  const page = await withSource(options, (source) => source.deadLetters(limit));
  if (page.items.length === 0) return 'no dead letters\n';
  return page.items.map((d) => `${d.id}\t${d.dead_at}\t${d.sid}\t${d.kind}\t${plural(d.attempts, 'attempt')}\t${d.last_error ?? '-'}\n`).join('');
}

export async function runRelayRetry(options: TargetOptions, ids: readonly number[] | 'all'): Promise<string> {
  const retried = await withSource(options, (source) => source.retry(ids));
  return `${plural(retried, 'dead letter')} back in line`;
}

function formatAge(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

async function withSource<T>(options: TargetOptions, use: (source: RelaySource) => Promise<T>): Promise<T> {
  const target = resolveReadTarget(options);
  const source = target.kind === 'server' ? apiRelaySource(target.server) : storeRelaySource(await openStore(target.databaseUrl));
  try {
    return await use(source);
  } finally {
    await source.close();
  }
}

/** The outbox of a database, read and changed directly (a receiver may be running: the rows are shared). */
export function storeRelaySource(store: CallStore, now: () => number = Date.now): RelaySource {
  return {
    async status() {
      const at = now();
      // Read from the database, this command cannot know whether a receiver relays: enabled is false.
      return relayStatusAnswer(await store.relay.status(at, { countDelivered: true }), at, false);
    },
    async deadLetters(limit) {
      return { items: (await store.relay.listDeadLetters({ limit })).map(deadLetterAnswer), next_before: null };
    },
    retry: (ids) => store.relay.retryDeadLetters(ids, now()),
    close: () => store.close(),
  };
}

function apiRelaySource(server: ServerTarget): RelaySource {
  return {
    status: async () => (await requestApi(server, '/api/relay/status')).json() as Promise<RelayStatusJson>,
    deadLetters: async (limit) => (await requestApi(server, '/api/relay/dead-letters', { limit: String(limit) })).json() as Promise<DeadLetterPage>,
    async retry(ids) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(server.token === undefined ? {} : { authorization: `Bearer ${server.token}` }) };
      let response: Response;
      try {
        response = await fetch(`${server.url}/api/relay/dead-letters/retry`, { method: 'POST', headers, body: JSON.stringify(ids === 'all' ? { all: true } : { ids }) });
      } catch (error) {
        throw unreachable(server.url, error);
      }
      if (!response.ok) throw new Error(await apiErrorMessage(response));
      return ((await response.json()) as { retried: number }).retried;
    },
    close: async () => undefined,
  };
}
