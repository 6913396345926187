import { createServer, type Server } from 'node:http';
import type { PushHandlerChoice } from './push-handler-choice.js';

/** What the stand-in push handler did, by choice, and requests it could not read (no sid). */
export interface PushHandlerCounts {
  take: number;
  refuse: number;
  stall: number;
  withoutSid: number;
  /** Relayed Notifies whose `cc_param` was not their `param` (callevt must copy it). */
  ccParamMismatch: number;
}

/** A running stand-in push handler. */
export interface PushHandler {
  /** The URL to give callevt as NOTIFY_RELAY_URL (`http://127.0.0.1:PORT/notify`). */
  url: string;
  port: number;
  counts: PushHandlerCounts;
  close(): Promise<void>;
}

/**
 * Plays the app's own notify handler on the loopback interface, for `callevt simulate
 * --push-handler`: for each relayed Notify it reads the sid and, as `choose` says,
 * answers 200 (take), 500 (refuse) or nothing for `stallMs` and then 200 (stall: longer
 * than callevt's NOTIFY_RELAY_TIMEOUT, so callevt gives up first). Port 0 picks a free one.
 */
export async function startPushHandler(options: { port: number; stallMs: number; choose: (sid: string) => PushHandlerChoice }): Promise<PushHandler> {
  const counts: PushHandlerCounts = { take: 0, refuse: 0, stall: 0, withoutSid: 0, ccParamMismatch: 0 };
  const stalled = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://handler').searchParams;
    const sid = query.get('sid');
    if (sid === null) {
      counts.withoutSid++;
      res.writeHead(400).end();
      return;
    }
    if (query.get('cc_param') !== query.get('param')) counts.ccParamMismatch++;
    const choice = options.choose(sid);
    counts[choice]++;
    if (choice === 'refuse') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('push refused (stand-in handler)');
    } else if (choice === 'stall') {
      const timer = setTimeout(() => {
        stalled.delete(timer);
        if (!res.destroyed) res.writeHead(200).end();
      }, options.stallMs);
      stalled.add(timer);
    } else {
      res.writeHead(200).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    port,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of stalled) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
