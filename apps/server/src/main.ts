import { createLogger } from '@zpub/shared/node';
import { loadEnv } from './env';
import { createHttpServer } from './http';
import { createServices } from './services/services';

const env = loadEnv();
const log = createLogger('server', env.LOG_LEVEL);

process.on('unhandledRejection', (err) => log.error({ err: (err as Error)?.message ?? String(err) }, 'unhandled rejection'));

// performance.now() counts from the process's start: this is the time spent loading the code.
const modulesMs = performance.now();
const services = await createServices(env, log);
services.startup = { modules: modulesMs, ...services.startup };
const server = createHttpServer(services);
// SSE streams stay open; keep-alive sockets must not hold the process after close.
server.keepAliveTimeout = 5000;
server.listen(env.PORT, env.HOST, () => {
  services.startup.listen = performance.now() - Object.values(services.startup).reduce((a, b) => a + b, 0);
  const phasesMs = Object.fromEntries(Object.entries(services.startup).map(([k, v]) => [k, Math.round(v)]));
  log.info({ url: `http://${env.HOST}:${env.PORT}`, origin: env.PUBLIC_ORIGIN, startMs: Math.round(performance.now()), phasesMs }, 'server listening');
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
