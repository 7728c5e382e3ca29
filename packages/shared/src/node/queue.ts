/**
 * The Bee-Queue queue both apps share, with one fix: Bee-Queue loads its Lua scripts once, so
 * after Redis restarts (its script cache empty) every call would fail with NOSCRIPT. The scripts
 * are loaded again whenever the connection comes back.
 */
import { createRequire } from 'node:module';
import BeeQueue from 'bee-queue';
import type { RedisKeys } from './keys';
import type { Logger } from './logger';

const require = createRequire(import.meta.url);
// Bee-Queue's script loader is not part of its public API; it is stable across 1.x and 2.0.
const lua = require('bee-queue/lib/lua') as { buildCache(client: unknown): Promise<unknown> };

export interface PublishJobData {
  taskId: string;
  jobId: string;
}

/** `account.verify`: a worker runs the login check of one account and records the answer on it. */
export interface VerifyJobData {
  kind: 'verify';
  accountId: string;
  /** Written back to the account as `checkRequest`, so the server knows its own answer arrived. */
  requestId: string;
}

/** One queue, two kinds of job: tasks to publish, and accounts to check. */
export type QueueJobData = PublishJobData | VerifyJobData;

export function createQueue(
  keys: RedisKeys,
  redisUrl: string,
  log: Logger,
  opts: { worker: false } | { worker: true; stallInterval: number },
): BeeQueue<QueueJobData> {
  const queue = new BeeQueue<QueueJobData>(keys.queueName, {
    prefix: keys.queuePrefix,
    redis: { url: redisUrl },
    isWorker: opts.worker,
    getEvents: false,
    sendEvents: false,
    // Bee-Queue would keep every job this process creates in \`queue.jobs\` for good (only job
    // events, which no queue here asks for, let go of them): memory that grew with every task ever
    // dispatched, and a \`getJob\` that answered from it after Redis had dropped the job, so the
    // reconciler never saw a lost job of its own dispatcher.
    storeJobs: false,
    activateDelayedJobs: opts.worker,
    removeOnSuccess: true,
    removeOnFailure: true,
    ...(opts.worker ? { stallInterval: opts.stallInterval, delayedDebounce: 200 } : {}),
  });
  queue.on('error', (err: Error) => log.warn({ err: err.message }, 'queue connection error'));
  queue.on('ready', () => {
    const client = (queue as unknown as { client?: { on(ev: string, fn: () => void): void } }).client;
    // Registered once the queue is ready, so every later 'ready' is a reconnect.
    client?.on('ready', () => {
      lua.buildCache(client).then(
        () => log.info('queue scripts reloaded after reconnect'),
        (err: Error) => log.warn({ err: err.message }, 'queue scripts reload failed'),
      );
    });
  });
  return queue;
}
