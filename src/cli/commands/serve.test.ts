import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Command } from 'commander';
import { CONFIG_ENV_NAMES, loadConfig } from '../../config/load-config.js';
import { createProgram } from '../create-program.js';
import { serveEnv } from './serve.js';

/** The full help a user sees for `callevt [command] --help`, text added after included. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

function serveCommand(): Command {
  const serve = createProgram().commands.find((c) => c.name() === 'serve');
  assert.ok(serve, 'serve is registered');
  return serve;
}

describe('callevt serve', () => {
  it('when flags and environment both set a value, then the flag wins', () => {
    const env = serveEnv({ host: '::1', port: '9001', db: '/tmp/a.db' }, { HOST: '127.0.0.1', PORT: '8080', DATABASE_URL: 'b.db', LOG_LEVEL: 'warn' });
    const config = loadConfig(env);
    assert.equal(config.host, '::1');
    assert.equal(config.port, 9001);
    assert.equal(config.databaseUrl, '/tmp/a.db');
    assert.equal(config.logLevel, 'warn');
  });

  it('when --spool-file is given, then it wins over SPOOL_FILE', () => {
    const env = serveEnv({ spoolFile: 'off' }, { DATABASE_URL: 'postgres://h/db', SPOOL_FILE: './data/spool.db' });
    assert.equal(loadConfig(env).spoolFile, null);
  });

  it('when no flag is given, then the environment decides', () => {
    assert.deepEqual(serveEnv({}, { PORT: '7000' }), { PORT: '7000' });
  });

  it('when `callevt serve --help` is shown, then it lists every flag and every environment variable', () => {
    const help = helpOf(serveCommand());
    for (const flag of ['--host <address>', '--port <number>', '--db <url>', '--spool-file <path>', '--help']) assert.ok(help.includes(flag), flag);
    for (const name of CONFIG_ENV_NAMES) assert.match(help, new RegExp(`^ {2}${name} `, 'm'), name);
  });

  it('when `callevt --help` is shown, then it lists the serve command and the global options', () => {
    const help = helpOf(createProgram());
    assert.match(help, /Usage: callevt/);
    assert.match(help, /^ {2}serve /m);
    assert.match(help, /--version/);
    assert.match(help, /--help/);
  });
});
