import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { deliveryOf } from '../../../test/contract/ingest-contract.js';
import { validCallbackValues } from '../../../test/fixtures/callback-fixture.js';
import { tempDatabaseFile } from '../../../test/fixtures/test-app.js';
import { createSqliteStore } from '../../storage/sqlite/sqlite-store.js';

function runCli(args: string[], env: Record<string, string> = {}) {
  const compiled = import.meta.url.endsWith('.js');
  const main = fileURLToPath(new URL(`../main.${compiled ? 'js' : 'ts'}`, import.meta.url));
  return spawnSync(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), main, ...args], {
    encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '', ...env },
  });
}

describe('callevt erase and callevt retention run', () => {
  it('when a user is erased from the CLI, then it prints the rows changed per table and the call holds a pseudonym', async () => {
    const db = tempDatabaseFile();
    try {
      const values = validCallbackValues({ from_service_id: 'svc', from_user_id: 'frank' });
      const store = createSqliteStore(db.file);
      await store.recordCallbacks([deliveryOf(values), deliveryOf(values)]);
      await store.close();
      const result = runCli(['erase', '--user', 'svc:frank', '--db', db.file]);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^erasure #1 at .*: rows changed per table\n {2}calls +1\n {2}call_conflicts +0\n {2}notifies +0\n {2}callback_conflicts +0\n {2}group_call_events +0\n {2}quarantine +0\n {2}relay_outbox +0\n {2}raw_requests +2\n/);
      const after = createSqliteStore(db.file);
      assert.match((await after.getCall(values.sid ?? ''))?.from_user_id ?? '', /^erased-/);
      await after.close();
      const refused = runCli(['erase', '--user', 'frank', '--db', db.file]);
      assert.notEqual(refused.status, 0);
      assert.match(refused.stderr, /SERVICE:USER/);
    } finally {
      db.cleanup();
    }
  });

  it('when retention runs as a dry run, then it prints what would go and removes nothing', async () => {
    const db = tempDatabaseFile();
    try {
      const values = validCallbackValues();
      const store = createSqliteStore(db.file);
      await store.recordCallbacks([deliveryOf(values, 1_000)]);
      await store.close();
      const env = { RETENTION_RAW_DAYS: '1', RETENTION_CALLS_DAYS: '1' };
      const dry = runCli(['retention', 'run', '--dry-run', '--db', db.file], env);
      assert.equal(dry.status, 0, dry.stderr);
      assert.match(dry.stdout, /dry run, nothing changed\nwould remove: calls 1, call_conflicts 0, notifies 0, agent_call_statuses 0, group_sessions 0, group_call_events 0, relay_outbox 0, raw_requests 1\n/);
      const run = runCli(['retention', 'run', '--db', db.file], env);
      assert.match(run.stdout, /^removed: calls 1, call_conflicts 0, notifies 0, agent_call_statuses 0, group_sessions 0, group_call_events 0, relay_outbox 0, raw_requests 1\n/);
      const none = runCli(['retention', 'run', '--db', db.file]);
      assert.match(none.stdout, /no RETENTION_\* limit is set/);
    } finally {
      db.cleanup();
    }
  });
});
