import { Agent, request } from 'node:http';

/** A JSON answer from callevt's read API. */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** Reads callevt's API: `get('/api/calls/…')`. Over HTTP, or in-process for `--db`. */
export interface ApiClient {
  get(pathAndQuery: string): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/**
 * An API client over keep-alive HTTP, sending `Authorization: Bearer <token>` when a
 * token is given. `baseUrl` is callevt's base URL: a path prefix (behind a proxy) is
 * kept. A request that gets no answer fails with the URL and the cause.
 */
export function createHttpApiClient(baseUrl: string, options: { token?: string; concurrency?: number } = {}): ApiClient {
  const origin = new URL(baseUrl);
  if (origin.protocol !== 'http:') throw new Error(`only http:// servers are supported (got ${origin.protocol})`);
  const prefix = origin.pathname.replace(/\/+$/, '');
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 16 });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return {
    get: (pathAndQuery) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            agent,
            host: origin.hostname.replace(/^\[|\]$/g, ''),
            port: origin.port === '' ? 80 : Number(origin.port),
            path: `${prefix}${pathAndQuery}`,
            headers,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown = text;
              try {
                body = JSON.parse(text);
              } catch {
                // not JSON (e.g. a proxy's error page): keep the text for the report
              }
              resolve({ status: res.statusCode ?? 0, body });
            });
            res.on('error', reject);
          },
        );
        req.on('error', (error) => reject(new Error(`cannot reach callevt at ${baseUrl}: ${error.message}`, { cause: error })));
        req.end();
      }),
    async close() {
      agent.destroy();
    },
  };
}
