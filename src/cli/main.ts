import { createProgram } from './create-program.js';

/** The `callevt` entry point. Each command lives in its own file under commands/. */
createProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`callevt: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
