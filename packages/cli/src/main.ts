#!/usr/bin/env node
/** The `zpub` executable: runs the command and exits with its code. */
import { run } from './cli';
import { CliError, EXIT } from './errors';
import { t } from './i18n';

process.on('SIGINT', () => {
  process.stderr.write(t.stopped);
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
    process.stderr.write(`zpub: ${t.unexpectedError(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    process.exit(EXIT.failed);
  },
);
