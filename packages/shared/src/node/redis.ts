import { createClient } from 'redis';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A node-redis client that reconnects forever with a capped backoff and logs its state changes
 * without the URL (it may carry a password). By default commands sent while disconnected wait in
 * the offline queue and run on reconnect, so a Redis restart delays work instead of failing it;
 * `failFast` makes them fail at once instead.
 */
export function createRedis(url: string, log: Logger, role: string, opts: { failFast?: boolean } = {}): RedisClient {
  const client = createClient({
    url,
    // An API answering people must say "unavailable" at once rather than wait for Redis to return.
    disableOfflineQueue: opts.failFast ?? false,
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

/** Whether a Redis command failed because the connection dropped (it may succeed once it is back). */
export function isRedisConnectionError(err: unknown): boolean {
  const e = err as { name?: string; message?: string; code?: string } | null;
  if (!e) return false;
  if (/^(SocketClosedUnexpectedlyError|ConnectionTimeoutError|ClientOfflineError|ReconnectStrategyError)$/.test(e.name ?? '')) return true;
  return /ECONNREFUSED|ECONNRESET|EPIPE|Socket closed unexpectedly|Connection is closed|offline queue|LOADING/i.test(`${e.code ?? ''} ${e.message ?? ''}`);
}
