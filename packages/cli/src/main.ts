#!/usr/bin/env node
/** The `zpub` executable: runs the command and exits with its code. */
import { run } from './cli';
import { CliError, EXIT } from './errors';

process.on('SIGINT', () => {
  process.stderr.write('\nzpub: stopped. Tasks already submitted go on on the server: `zpub status` shows them, and the next `zpub publish` of the same files picks up their outcome.\n');
  process.exit(130);
});

// Exit with run()'s answer: an open SSE connection must not keep the process alive after it.
run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof CliError) {
      process.stderr.write(`zpub: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`zpub: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(EXIT.failed);
  },
);
