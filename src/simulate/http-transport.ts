import { Agent, request } from 'node:http';

/** What one request got back: the HTTP status and, for callevt, its `result` word. */
export interface DeliveryAnswer {
  status: number;
  /** callevt's `result` (accepted, duplicate, conflict) or error code, when the body has one. */
  result: string | null;
}

/** Sends one callback query and waits for the full answer. */
export type Transport = (query: string) => Promise<DeliveryAnswer>;

/** Longest wait for one answer, in milliseconds, before the delivery counts as failed. */
export const REQUEST_TIMEOUT_MS = 30_000;

const RESULT = /"(?:result|code)"\s*:\s*"([a-z_]+)"/;

/**
 * A keep-alive HTTP/1.1 transport (node:http Agent, one socket per concurrent request),
 * so that connection setup does not limit the request rate. GET with the query, as
 * LINE Planet sends callbacks. `close()` ends the sockets.
 */
export function createHttpTransport(url: string, options: { concurrency: number; headers?: Record<string, string> }): {
  send: Transport;
  close(): void;
} {
  const target = new URL(url);
  if (target.protocol !== 'http:') throw new Error(`only http:// callback URLs are supported (got ${target.protocol})`);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const basePath = target.pathname;
  const send: Transport = (query) =>
    new Promise((resolve, reject) => {
      const req = request(
        {
          agent,
          host: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port === '' ? 80 : Number(target.port),
          method: 'GET',
          path: `${basePath}?${query}`,
          headers: options.headers,
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (body.length < 4_096) body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, result: RESULT.exec(body)?.[1] ?? null }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end();
    });
  return { send, close: () => agent.destroy() };
}
