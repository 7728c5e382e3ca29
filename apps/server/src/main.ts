import { createLogger } from '@zpub/shared/node';
import { loadEnv } from './env';
import { createHttpServer } from './http';
import { createServices } from './services/services';

const env = loadEnv();
const log = createLogger('server', env.LOG_LEVEL);

process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message ?? String(err) }, 'unhandled rejection'));

const services = await createServices(env, log);
const server = createHttpServer(services);
// SSE streams stay open; keep-alive sockets must not hold the process after close.
server.keepAliveTimeout = 5000;
server.listen(env.PORT, env.HOST, () => {
  log.info({ url: `http://${env.HOST}:${env.PORT}`, origin: env.PUBLIC_ORIGIN }, 'server listening');
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  server.close();
  // Dropping the connections (rather than ending the streams cleanly) makes every SSE client
  // reconnect at once, to another server or to this one after its restart, from its last event.
  server.closeAllConnections();
  await services.hub.stop();
  await services.close();
  log.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
