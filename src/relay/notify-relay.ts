import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

// Kept-alive connections to the notify handler: node:http costs a fraction of fetch's CPU
// per request, and every millisecond here delays the callee's ringing (bench/notify/run.ts).
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

/**
 * The Notify relay (NOTIFY_RELAY_URL, docs/configuration.md): a GET to the app's notify
 * handler with the keys LINE Planet sent, as sent, plus `cc_param` = `param` (the name
 * the callee's SDK expects). GET, because LINE Planet itself calls notify_cb_url with
 * GET: a handler written for LINE Planet works unchanged behind callevt. Redirects are
 * not followed (a 3xx is not a 2xx). The whole answer must arrive within `timeoutMs`.
 *
 * @example
 * const relay = createNotifyRelay({ url: 'http://127.0.0.1:3000/notify', timeoutMs: 3000 });
 * const verdict = await relay.relay(new Map([['sid', '…'], ['param', 'abc=']]));
 */
export function createNotifyRelay(options: { url: string; timeoutMs: number }): NotifyRelay {
  return {
    relay(values) {
      const url = new URL(options.url);
      for (const [key, value] of values) if (key !== 'cc_param') url.searchParams.append(key, value);
      url.searchParams.set('cc_param', values.get('param') ?? '');
      const https = url.protocol === 'https:';
      const started = performance.now();
      const took = () => Math.round(performance.now() - started);
      return new Promise((resolve) => {
        let settled = false;
        const finish = (verdict: Omit<NotifyRelayVerdict, 'latencyMs'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ...verdict, latencyMs: took() });
        };
        const req = (https ? httpsRequest : httpRequest)(url, { method: 'GET', agent: AGENTS[https ? 'https:' : 'http:'] }, (res) => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          // Read the answer to its end, so that the connection can serve the next Notify.
          res.resume();
          res.on('end', () => finish({ outcome: ok ? 'ok' : 'http_error', status, error: ok ? null : `answered ${status}` }));
          res.on('error', (error) => finish({ outcome: 'unreachable', status: null, error: causeOf(error) }));
        });
        const timer = setTimeout(() => {
          finish({ outcome: 'timeout', status: null, error: `no answer within ${options.timeoutMs} ms` });
          req.destroy();
        }, options.timeoutMs);
        req.on('error', (error) => finish({ outcome: 'unreachable', status: null, error: causeOf(error) }));
        req.end();
      });
    },
  };
}

/** The network reason of a failed request (ECONNREFUSED …), without the URL. */
function causeOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `could not connect (${code})` : 'could not connect';
}
