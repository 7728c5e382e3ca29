import { createSandbox } from './app.js';
import { loadEnv } from './env.js';
import { createLogger } from './log.js';

// Wires the environment to the server; the only process-level concerns (signals, exit codes) live here.

async function main(): Promise<void> {
  const env = loadEnv();
  const log = createLogger(env.LOG_LEVEL);
  const sandbox = await createSandbox({
    host: env.SANDBOX_HOST,
    port: env.SANDBOX_PORT,
    delayMs: env.SANDBOX_DELAY_MS,
    dataFile: env.SANDBOX_DATA_FILE,
    logger: log,
  });
  // Printed whatever LOG_LEVEL says: launchers wait for this exact line.
  process.stdout.write(`${JSON.stringify({ msg: 'sandbox listening', url: sandbox.url })}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.debug('sandbox stopping', { signal });
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('sandbox close failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
