/**
 * A lean HTTP/1.1 GET client for load generators: a fixed pool of keep-alive TCP connections,
 * one request in flight on each (no pipelining, as node:http's Agent with maxSockets), the
 * rest queued in order until a connection is free. It writes each request as one string and
 * reads only what it needs of each answer: the status code and the Content-Length body.
 *
 * Why not node:http: at 3,200 requests a second its Agent, request and response objects cost
 * the generator about 0.4 of a core (bench/README.md). On a two-core machine that is CPU taken
 * from the server under test, and the generator's own delays count as the server's latency.
 * This client needs a fraction of it; the benchmark reports both (BENCH_GENERATOR).
 *
 * It reads bodies of a Content-Length (callevt's answers) or chunked (the bare server's), with no
 * trailers; anything else, or a closed connection, fails the request, and the connection is
 * opened again.
 */
import { connect, type Socket } from 'node:net';

/** What became of one request: its status code, or 0 when the connection failed. */
export type Answered = (status: number) => void;

export interface SocketClient {
  /** Sends GET `path` (with its query) on the first free connection, or queues it. */
  get(path: string, answered: Answered): void;
  /** Closes every connection; queued and in-flight requests are answered with 0. */
  close(): void;
}

interface Connection {
  socket: Socket;
  /** The request in flight on it, if any. */
  current: Answered | null;
  /** Bytes of the answer read so far (headers not yet complete, or the body's remainder). */
  buffered: Buffer;
  /** Body bytes still to skip before the next answer starts. */
  bodyLeft: number;
  /** The body being read is chunked: after bodyLeft, the next chunk's size line. */
  chunked: boolean;
  /** The status of the answer whose body is being read. */
  status: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const LINE_END = Buffer.from('\r\n');

export function createSocketClient(host: string, port: number, connections: number): SocketClient {
  const waiting: Array<{ path: string; answered: Answered }> = [];
  const idle: Connection[] = [];
  const all = new Set<Connection>();
  let closed = false;

  const send = (c: Connection, path: string, answered: Answered) => {
    c.current = answered;
    c.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`);
  };
  const free = (c: Connection) => {
    c.current = null;
    const next = waiting.shift();
    if (next !== undefined) send(c, next.path, next.answered);
    else idle.push(c);
  };
  const finish = (c: Connection, status: number) => {
    const answered = c.current;
    free(c);
    answered?.(status);
  };
  const onData = (c: Connection, chunk: Buffer) => {
    let data = c.buffered.length === 0 ? chunk : Buffer.concat([c.buffered, chunk]);
    for (;;) {
      if (c.bodyLeft > 0) {
        const skipped = Math.min(c.bodyLeft, data.length);
        c.bodyLeft -= skipped;
        data = data.subarray(skipped);
        if (c.bodyLeft > 0) break;
        if (!c.chunked) finish(c, c.status);
        continue;
      }
      if (c.chunked) {
        // A chunk's size line; the chunk and its CRLF follow. Size 0 (with no trailers) ends the body.
        const end = data.indexOf(LINE_END);
        if (end === -1) break;
        const size = Number.parseInt(data.toString('latin1', 0, end), 16);
        data = data.subarray(end + LINE_END.length);
        c.bodyLeft = size + LINE_END.length;
        if (size === 0) c.chunked = false; // its CRLF is the last of the answer
        continue;
      }
      const end = data.indexOf(HEADER_END);
      if (end === -1) break;
      const head = data.toString('latin1', 0, end);
      data = data.subarray(end + HEADER_END.length);
      c.status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (length !== null) {
        c.bodyLeft = Number(length[1]);
        if (c.bodyLeft === 0) finish(c, c.status);
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        c.chunked = true;
      } else {
        c.socket.destroy(new Error('an answer with neither Content-Length nor chunked encoding'));
        return;
      }
    }
    c.buffered = data.length === 0 ? Buffer.alloc(0) : Buffer.from(data);
  };
  const open = (): Connection => {
    const socket = connect({ host, port, noDelay: true });
    const c: Connection = { socket, current: null, buffered: Buffer.alloc(0), bodyLeft: 0, chunked: false, status: 0 };
    all.add(c);
    socket.on('data', (chunk: Buffer) => onData(c, chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      all.delete(c);
      const at = idle.indexOf(c);
      if (at !== -1) idle.splice(at, 1);
      const answered = c.current;
      c.current = null;
      answered?.(0);
      // A new connection for what waits; an idle pool is refilled by get() (no reconnecting in a loop while the server is down).
      if (!closed && waiting.length > 0) free(open());
    });
    return c;
  };
  for (let i = 0; i < connections; i += 1) idle.push(open());

  return {
    get(path, answered) {
      if (closed) return answered(0);
      const c = idle.pop() ?? (all.size < connections ? open() : undefined);
      if (c === undefined) waiting.push({ path, answered });
      else send(c, path, answered);
    },
    close() {
      closed = true;
      for (const c of all) c.socket.destroy();
      for (const w of waiting.splice(0)) w.answered(0);
    },
  };
}
