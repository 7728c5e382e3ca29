import { createLogger } from '@zpub/shared/node';
import { loadEnv } from './env';
import { WorkerApp } from './worker';

const env = loadEnv();
const log = createLogger('worker', env.LOG_LEVEL).child({ worker: env.WORKER_ID });

process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message ?? String(err) }, 'unhandled rejection'));

// A worker that cannot launch browsers any more leaves (with code 1), so its supervisor restarts it.
const app = await WorkerApp.start(env, log, (reason) => void stop(reason, 1));

let stopping = false;
async function stop(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await app.shutdown(signal);
    process.exit(code);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
