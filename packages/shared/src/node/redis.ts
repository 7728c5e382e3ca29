import { createClient } from 'redis';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A node-redis client that reconnects forever with a capped backoff and logs its state changes
 * without the URL (it may carry a password). Commands sent while disconnected wait in the
 * offline queue and run on reconnect, so a Redis restart delays work instead of failing it.
 */
export function createRedis(url: string, log: Logger, role: string): RedisClient {
  const client = createClient({
    url,
    socket: {
      reconnectStrategy: (retries) => Math.min(50 * 2 ** Math.min(retries, 6), 2000),
      connectTimeout: 5000,
    },
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) log.warn({ role, err: err.message }, 'redis connection error');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info({ role }, 'redis reconnected');
    down = false;
  });
  return client;
}
