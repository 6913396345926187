import type { Command } from 'commander';
import { registerBackup } from './backup/backup-commands.js';
import { registerCall } from './commands/call.js';
import { registerCalls } from './commands/calls.js';
import { registerExport } from './commands/export.js';
import { registerGroupCall } from './commands/group-call.js';
import { registerGroupCalls } from './commands/group-calls.js';
import { registerReclassify } from './commands/reclassify.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPrune } from './commands/prune.js';
import { registerQuarantine } from './commands/quarantine.js';
import { registerRebuild } from './commands/rebuild.js';
import { registerErase } from './commands/erase.js';
import { registerRetention } from './commands/retention.js';
import { registerRelay } from './commands/relay.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerSpool } from './commands/spool.js';
import { registerStats } from './commands/stats.js';
import { registerVerify } from './commands/verify.js';

/** The one list of CLI commands. */
export function registerCommands(program: Command): void {
  registerServe(program);
  registerMigrate(program);
  registerPrune(program);
  registerRetention(program);
  registerErase(program);
  registerSimulate(program);
  registerVerify(program);
  registerStats(program);
  registerSeed(program);
  registerCalls(program);
  registerCall(program);
  registerExport(program);
  registerGroupCalls(program);
  registerGroupCall(program);
  registerReclassify(program);
  registerQuarantine(program);
  registerRebuild(program);
  registerSpool(program);
  registerRelay(program);
  registerBackup(program);
}
