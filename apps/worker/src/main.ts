import { createLogger } from '@zpub/shared/node';
import { loadEnv } from './env';
import { WorkerApp } from './worker';

const env = loadEnv();
const log = createLogger('worker', env.LOG_LEVEL).child({ worker: env.WORKER_ID });

process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message ?? String(err) }, 'unhandled rejection'));

const app = await WorkerApp.start(env, log);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  try {
    await app.shutdown(signal);
    process.exit(0);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
