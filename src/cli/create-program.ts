import { Command } from 'commander';
import { registerCommands } from './register-commands.js';

/**
 * The `callevt` command line, built but not run: `main.ts` runs it, tests read its help.
 *
 * @example createProgram().parseAsync(['node', 'callevt', 'serve', '--port', '0'])
 */
export function createProgram(): Command {
  const program = new Command()
    .name('callevt')
    .description('Durable call logs, call status and call statistics for LINE Planet call callbacks')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError();
  registerCommands(program);
  return program;
}
