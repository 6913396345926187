import type { Command } from 'commander';
import { registerServe } from './commands/serve.js';

/** The one list of CLI commands. */
export function registerCommands(program: Command): void {
  registerServe(program);
}
