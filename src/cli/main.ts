import { Command } from 'commander';
import { registerCommands } from './register-commands.js';

/** The `callevt` command line. Each command lives in its own file under commands/. */
const program = new Command()
  .name('callevt')
  .description('Durable call logs, call status and call statistics for LINE Planet call callbacks')
  .version(process.env.npm_package_version ?? '0.1.0')
  .showHelpAfterError();

registerCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`callevt: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
