import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertCallevtAnswers, callbackUrlOf, parseBaseUrl, resolveReadTarget, resolveServer } from './server-target.js';

describe('where a command reads', () => {
  it('when CALLEVT_URL and CALLEVT_TOKEN are set and no flag is given, then the command reads that server with that token', () => {
    assert.deepEqual(resolveReadTarget({}, { CALLEVT_URL: 'http://127.0.0.1:9000/', CALLEVT_TOKEN: 't0k3n', DATABASE_URL: './x.db' }), {
      kind: 'server',
      server: { url: 'http://127.0.0.1:9000', token: 't0k3n' },
    });
  });

  it('when --db is given, then it wins over CALLEVT_URL; when --url is given, then it wins over --db', () => {
    assert.deepEqual(resolveReadTarget({ db: './a.db' }, { CALLEVT_URL: 'http://127.0.0.1:9000' }), { kind: 'database', databaseUrl: './a.db' });
    assert.equal(resolveReadTarget({ db: './a.db', url: 'http://127.0.0.1:9001' }, {}).kind, 'server');
  });

  it('when nothing is set, then the command reads DATABASE_URL, else ./data/callevt.db', () => {
    assert.deepEqual(resolveReadTarget({}, { DATABASE_URL: './b.db' }), { kind: 'database', databaseUrl: './b.db' });
    assert.deepEqual(resolveReadTarget({}, {}), { kind: 'database', databaseUrl: './data/callevt.db' });
  });

  it('when --token is given, then it wins over CALLEVT_TOKEN; API_TOKEN (the server\'s setting) is not read', () => {
    assert.equal(resolveServer({ url: 'http://127.0.0.1:9000', token: 'flag' }, { CALLEVT_TOKEN: 'env' }).token, 'flag');
    assert.equal(resolveServer({ url: 'http://127.0.0.1:9000' }, { API_TOKEN: 'server-side' }).token, undefined);
  });

  it('when simulate names no server, then it is CALLEVT_URL, else http://127.0.0.1:8080', () => {
    assert.equal(resolveServer({}, { CALLEVT_URL: 'http://127.0.0.1:9000' }).url, 'http://127.0.0.1:9000');
    assert.equal(resolveServer({}, {}).url, 'http://127.0.0.1:8080');
  });
});

describe('base URLs', () => {
  it('when a URL is a base URL (with or without a proxy prefix), then it is kept without its trailing slash', () => {
    assert.equal(parseBaseUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.equal(parseBaseUrl('https://example.test/callevt/'), 'https://example.test/callevt');
  });

  it("when a URL is one of callevt's own paths or has a query, then the error says --url is the base URL", () => {
    for (const url of ['http://127.0.0.1:8080/callbacks/call-event', 'http://127.0.0.1:8080/api/calls', 'http://127.0.0.1:8080/?a=1']) {
      assert.throws(() => parseBaseUrl(url), /--url is callevt's base URL/, url);
    }
    assert.throws(() => parseBaseUrl('127.0.0.1:8080'), /--url must/);
  });

  it('when a secret is given, then the callback path carries it; otherwise it is /callbacks/call-event', () => {
    assert.equal(callbackUrlOf('http://127.0.0.1:8080', null), 'http://127.0.0.1:8080/callbacks/call-event');
    assert.equal(callbackUrlOf('http://127.0.0.1:8080', 'abcdefghijklmnop'), 'http://127.0.0.1:8080/callbacks/abcdefghijklmnop/call-event');
  });
});

describe('is callevt there', () => {
  let page: Server;
  let pageUrl = '';
  before(async () => {
    page = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>'));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  });
  after(() => page.close());

  it('when nothing listens at the URL, then the error names the URL and ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(assertCallevtAnswers(url), (error: Error) => error.message.startsWith(`cannot reach callevt at ${url}: `) && error.message.includes('ECONNREFUSED'));
  });

  it('when another server answers 200 with an HTML page, then it is an error saying it is not callevt', async () => {
    await assert.rejects(assertCallevtAnswers(pageUrl), /answered 200 text\/html .*not callevt's health answer/);
  });
});
