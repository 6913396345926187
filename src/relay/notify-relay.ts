import type { NotifyRelayOutcome } from '../storage/port.js';

/** What the app's notify handler made of one relayed Notify. */
export interface NotifyRelayVerdict {
  outcome: NotifyRelayOutcome;
  /** The handler's HTTP status, null when none came. */
  status: number | null;
  latencyMs: number;
  /** What went wrong, in a few words; never the URL (it may carry a token). */
  error: string | null;
}

/** Passes a Notify on to the app's own handler and says how it went. */
export interface NotifyRelay {
  relay(values: ReadonlyMap<string, string>): Promise<NotifyRelayVerdict>;
}

/**
 * The Notify relay (NOTIFY_RELAY_URL, docs/configuration.md): a GET to the app's notify
 * handler with the keys LINE Planet sent, as sent, plus `cc_param` = `param` (the name
 * the callee's SDK expects). GET, because LINE Planet itself calls notify_cb_url with
 * GET: a handler written for LINE Planet works unchanged behind callevt. Redirects are
 * not followed (a 3xx is not a 2xx). Node's fetch keeps connections alive between calls.
 *
 * @example
 * const relay = createNotifyRelay({ url: 'http://127.0.0.1:3000/notify', timeoutMs: 3000 });
 * const verdict = await relay.relay(new Map([['sid', '…'], ['param', 'abc=']]));
 */
export function createNotifyRelay(options: { url: string; timeoutMs: number }): NotifyRelay {
  return {
    async relay(values) {
      const url = new URL(options.url);
      for (const [key, value] of values) if (key !== 'cc_param') url.searchParams.append(key, value);
      url.searchParams.set('cc_param', values.get('param') ?? '');
      const started = performance.now();
      const took = () => Math.round(performance.now() - started);
      try {
        const response = await fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs) });
        // Read the answer to its end, so that the connection can serve the next Notify.
        await response.arrayBuffer();
        const ok = response.status >= 200 && response.status < 300;
        return { outcome: ok ? 'ok' : 'http_error', status: response.status, latencyMs: took(), error: ok ? null : `answered ${response.status}` };
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          return { outcome: 'timeout', status: null, latencyMs: took(), error: `no answer within ${options.timeoutMs} ms` };
        }
        return { outcome: 'unreachable', status: null, latencyMs: took(), error: causeOf(error) };
      }
    },
  };
}

/** The network reason of a failed fetch (ECONNREFUSED …), without the URL. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? `could not connect (${cause.code})` : 'could not connect';
}
