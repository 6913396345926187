import { createServer } from 'node:http';
import { decodeQueryString } from '../../src/domain/parse-query-string.js';

/**
 * The baseline: a bare node:http server that only decodes the query and answers 200.
 * Prints its URL as a JSON line (like callevt's log) so that the benchmark can find it.
 */
const server = createServer((request, response) => {
  const url = request.url ?? '';
  const q = url.indexOf('?');
  const { values } = decodeQueryString(q === -1 ? '' : url.slice(q + 1));
  response.writeHead(values.has('sid') ? 200 : 400, { 'content-type': 'application/json' });
  response.end('{"result":"accepted"}');
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'bare server is listening', url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
