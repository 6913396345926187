import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.js';
import { buildApp } from '../../http/build-app.js';
import { type ApiClient, createHttpApiClient } from '../../simulate/api-client.js';
import { parseGroundTruth } from '../../simulate/ground-truth.js';
import { GROUP_GROUND_TRUTH_FORMAT, parseGroupGroundTruth } from '../../simulate/group/group-ground-truth.js';
import { formatGroupVerifyReport, verifyGroupTruth } from '../../simulate/verify/verify-group-truth.js';
import { parseDurationMs, parseWholeNumber } from '../../simulate/parse-cli-values.js';
import { formatVerifyReport } from '../../simulate/verify/format-verify-report.js';
import { DEFAULT_END_MISSING_WAIT_MS, verifyGroundTruth } from '../../simulate/verify/verify-ground-truth.js';
import { openStore } from '../../storage/open-store.js';
import { resolveReadTarget, type TargetOptions } from '../server-target.js';
import { addSourceOptions } from './calls.js';

interface VerifyCliOptions extends TargetOptions {
  expect: string;
  exclusive?: boolean;
  strict?: boolean;
  concurrency: string;
  wait: string;
  group?: boolean;
}

/** `callevt verify`: check a server or database against a simulation's ground truth. */
export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .description('check that a callevt stored exactly what `callevt simulate --expect` sent (exit 0 only when all match)')
    .requiredOption('--expect <file>', 'the ground truth written by `callevt simulate --expect`')
    .option('--exclusive', 'the run owns the database: a call it did not send, or a different total, fails')
    .option('--strict', 'a check the server cannot answer yet (missing endpoint) fails instead of being skipped')
    .option('--group', 'the truth of `simulate --group`: check every room through GET /api/group-calls/:sid, and the group figures of the run window (GET /api/stats/group)')
    .option('--concurrency <C>', 'API requests in flight at once', '16')
    .option('--wait <time>', "longest wait for a --lifecycle run's lost end events to become end_missing (the server's CALL_EVENT_DEADLINE after their Notify)", `${DEFAULT_END_MISSING_WAIT_MS / 60_000}m`)
    .addHelpText('after', '\nWithout --url or --db it reads CALLEVT_URL, else DATABASE_URL, else ./data/callevt.db, like the other reading commands.\n');
  addSourceOptions(command).action(async (options: VerifyCliOptions) => {
    if (options.url !== undefined && options.db !== undefined) throw new Error('give --url or --db, not both');
    const concurrency = parseWholeNumber(options.concurrency, '--concurrency', 1, 256);
    const text = readFileSync(options.expect, 'utf8');
    const isGroup = text.slice(0, text.indexOf('\n')).includes(`"format":"${GROUP_GROUND_TRUTH_FORMAT}"`);
    if (isGroup !== (options.group ?? false)) throw new Error(isGroup ? `${options.expect} is the truth of a group run: add --group` : `${options.expect} is not the truth of a group run: leave out --group`);
    const target = resolveReadTarget(options);
    const api = target.kind === 'server' ? createHttpApiClient(target.server.url, { ...target.server, concurrency }) : await openDatabaseApi(target.databaseUrl);
    try {
      if (isGroup) {
        const report = await verifyGroupTruth(parseGroupGroundTruth(text), api, { concurrency, strict: options.strict ?? false, exclusive: options.exclusive ?? false });
        process.stdout.write(formatGroupVerifyReport(report));
        process.exitCode = report.ok ? 0 : 1;
        return;
      }
      const truth = parseGroundTruth(text);
      const report = await verifyGroundTruth(truth, api, {
        concurrency,
        exclusive: options.exclusive ?? false,
        strict: options.strict ?? false,
        endMissingWaitMs: parseDurationMs(options.wait, '--wait'),
        onWait: (ms, count) => process.stderr.write(`verify: waiting ${(ms / 1000).toFixed(1)} s for ${count} lost end event(s) to pass CALL_EVENT_DEADLINE\n`),
      });
      process.stdout.write(formatVerifyReport(report));
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await api.close();
    }
    });
}

/**
 * The read API over a database, in-process (no listening socket): the same app callevt
 * serves, answering through `inject`, so that --db and --url check exactly the same things.
 */
export async function openDatabaseApi(databaseUrl: string): Promise<ApiClient> {
  const store = await openStore(databaseUrl);
  try {
    const config = loadConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
    const { app } = await buildApp({ config, store });
    return {
      async get(pathAndQuery) {
        const res = await app.inject({ method: 'GET', url: pathAndQuery });
        let body: unknown = res.body;
        try {
          body = JSON.parse(res.body);
        } catch {
          // keep the text
        }
        return { status: res.statusCode, body };
      },
      async close() {
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
