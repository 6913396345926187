import type { Logger } from 'pino';
import type { CallStore } from '../port.js';
import { isDatabaseUnavailable } from '../database-unavailable.js';
import { backoffDelay, summarizeError } from './retry.js';

/** First wait after a failed attempt to open the database, in milliseconds; doubled after each failure. */
export const DEFAULT_OPEN_MIN_BACKOFF_MS = 500;
/** Longest wait between attempts to open the database, in milliseconds. */
export const DEFAULT_OPEN_MAX_BACKOFF_MS = 10_000;
/** While attempts keep failing, one warning per this many failures (the first is always logged). */
const LOG_EVERY_FAILURES = 10;

/** SQLSTATE class 08 "unable to establish connection": what every call answers until the database is open. */
const NOT_YET_OPEN = '08001';

/** A store whose database is opened in the background; `opened` resolves once it is. */
export interface DeferredStore extends CallStore {
  readonly opened: Promise<void>;
  /** Whether the database has been opened (migrations applied). */
  readonly isOpen: boolean;
}

export interface DeferredStoreOptions {
  dialect: CallStore['dialect'];
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Lets a receiver start while its database cannot be reached (behind the local spool):
 * every call fails with an "unavailable" error (SQLSTATE 08001, which the spool takes as
 * its cue) until `open` has succeeded, retried in the background with backoff; from then
 * on every call goes to the opened store. An error that says the database answered but
 * refused (bad password, unknown database, a failed migration) stops the retries: it is
 * logged, and calls keep failing until the receiver is restarted with a fixed setting.
 *
 * @example const store = createDeferredStore(() => createPostgresStore(url), { dialect: 'postgres', logger });
 */
export function createDeferredStore(open: () => Promise<CallStore>, options: DeferredStoreOptions): DeferredStore {
  const { logger } = options;
  const minBackoffMs = options.minBackoffMs ?? DEFAULT_OPEN_MIN_BACKOFF_MS;
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_OPEN_MAX_BACKOFF_MS;
  let inner: CallStore | null = null;
  let refusedFor: string | null = null;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  let attempt: Promise<void> | null = null;
  let resolveOpened: () => void = () => {};
  let resolveClosing: () => void = () => {};
  const closing = new Promise<void>((resolve) => {
    resolveClosing = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    resolveOpened = resolve;
  });

  const tryOpen = async (failures: number): Promise<void> => {
    try {
      const store = await open();
      if (closed) {
        await store.close();
        return;
      }
      inner = store;
      logger.info({ dialect: options.dialect, attempts: failures + 1 }, 'the database is open: callbacks go to it again');
      resolveOpened();
    } catch (error) {
      if (closed) return;
      if (!isDatabaseUnavailable(error)) {
        refusedFor = summarizeError(error).message;
        logger.error({ err: summarizeError(error) }, 'the database answered but refused to open: fix the setting and restart; callbacks stay in the spool');
        return;
      }
      const delay = backoffDelay(failures, minBackoffMs, maxBackoffMs);
      if (failures === 0 || (failures + 1) % LOG_EVERY_FAILURES === 0) {
        logger.warn({ err: summarizeError(error), failures: failures + 1, retryInMs: delay }, 'the database is still unavailable: opening it again later');
      }
      timer = setTimeout(() => {
        timer = null;
        attempt = tryOpen(failures + 1);
      }, delay);
    }
  };
  attempt = tryOpen(0);

  const store = (): CallStore => {
    if (inner !== null) return inner;
    const reason = refusedFor === null ? 'the database has not been reached yet' : `the database refused to open: ${refusedFor}`;
    throw Object.assign(new Error(reason), { code: NOT_YET_OPEN });
  };
  const deferred = <A extends unknown[], R>(call: (s: CallStore, ...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => call(store(), ...args);

  return {
    dialect: options.dialect,
    opened,
    get isOpen() {
      return inner !== null;
    },
    recordCallbacks: deferred((s, records, onCommitted) => s.recordCallbacks(records, onCommitted)),
    recordStoredCallbacks: deferred((s, records, o) => s.recordStoredCallbacks(records, o)),
    derivedRows: () => store().derivedRows(),
    getCall: deferred((s, sid) => s.getCall(sid)),
    listQuarantine: deferred((s, query) => s.listQuarantine(query)),
    listCalls: deferred((s, query) => s.listCalls(query)),
    streamCalls: (filter) => ({
      [Symbol.asyncIterator]: () => store().streamCalls(filter)[Symbol.asyncIterator](),
    }),
    // Maintenance, not a request: it waits for the database (or for its signal, or the close).
    async reclassifyCalls(o) {
      if (inner === null) await untilOpenOr(opened, o.signal, closing);
      if (inner === null) return { reclassified: 0, changed: 0 };
      return inner.reclassifyCalls(o);
    },
    statsSummary: deferred((s, query) => s.statsSummary(query)),
    statsTimeseries: deferred((s, query) => s.statsTimeseries(query)),
    statsBreakdown: deferred((s, query) => s.statsBreakdown(query)),
    lifecycleTotals: deferred((s, query) => s.lifecycleTotals(query)),
    rebuildStatsRollups: deferred((s, range) => s.rebuildStatsRollups(range)),
    listDeliveries: deferred((s, sid) => s.listDeliveries(sid)),
    listConflicts: deferred((s, sid) => s.listConflicts(sid)),
    eraseUser: deferred((s, request) => s.eraseUser(request)),
    applyRetention: deferred((s, options) => s.applyRetention(options)),
    getCallLife: deferred((s, sid) => s.getCallLife(sid)),
    recordNotifyRelays: deferred((s, attempts) => s.recordNotifyRelays(attempts)),
    listLifecycle: deferred((s, query) => s.listLifecycle(query)),
    getGroupCall: deferred((s, sid, clock) => s.getGroupCall(sid, clock)),
    listGroupCalls: deferred((s, query) => s.listGroupCalls(query)),
    listGroupStays: deferred((s, sids) => s.listGroupStays(sids)),
    countOpenGroupSessions: deferred((s, clock) => s.countOpenGroupSessions(clock)),
    countRecentGroupStays: deferred((s, since) => s.countRecentGroupStays(since)),
    groupStatsSummary: deferred((s, query) => s.groupStatsSummary(query)),
    groupStatsTimeseries: deferred((s, query) => s.groupStatsTimeseries(query)),
    groupStatsBreakdown: deferred((s, query) => s.groupStatsBreakdown(query)),
    countEndMissing: deferred((s, query) => s.countEndMissing(query)),
    flagEndMissing: deferred((s, query) => s.flagEndMissing(query)),
    relay: {
      lease: deferred((s, o) => s.relay.lease(o)),
      settle: deferred((s, owner, settlements, now) => s.relay.settle(owner, settlements, now)),
      status: deferred((s, now, o) => s.relay.status(now, o)),
      listDeadLetters: deferred((s, query) => s.relay.listDeadLetters(query)),
      retryDeadLetters: deferred((s, ids, now) => s.relay.retryDeadLetters(ids, now)),
    },
    ping: deferred((s) => s.ping()),
    async close() {
      if (closed) return;
      closed = true;
      resolveClosing();
      if (timer !== null) clearTimeout(timer);
      await attempt;
      await inner?.close();
    },
  };
}

/** Resolves when the database is open, the signal aborts or the store closes, whichever comes first. */
function untilOpenOr(opened: Promise<void>, signal: AbortSignal | undefined, closing: Promise<void>): Promise<void> {
  const aborted = new Promise<void>((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  return Promise.race([opened, aborted, closing]);
}
