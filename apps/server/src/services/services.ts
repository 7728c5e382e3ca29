/**
 * The server's composition root: connects to MongoDB and Redis, loads the task index, and wires
 * the hub, dispatcher and projector. `createServices` is used by main.ts and by tests.
 */
import { hostname } from 'node:os';
import {
  TaskStates,
  connectMongo,
  loadSecretBox,
  redisKeys,
  createQueue,
  createRedis,
  type Logger,
  type Models,
  type RedisClient,
  type RedisKeys,
} from '@zpub/shared/node';
import type BeeQueue from 'bee-queue';
import type { Connection } from 'mongoose';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Env } from '../env';
import { AccountDirectory } from './accounts';
import { ApiTokens } from './api-tokens';
import { ArticleGuard } from './article-guard';
import { ArticleChecks } from './article-checks';
import { AssetStore } from './assets';
import { Dispatcher } from './dispatcher';
import { Hub } from './hub';
import { Leadership } from './leader';
import { Projector } from './projector';
import { Reconciler } from './reconciler';
import { Sessions } from './sessions';
import { TaskIndex } from './task-index';
import { TaskService } from './tasks';
import { pausePoints } from './test-pause';
import { liveSlots } from './workers';

export interface Services {
  env: Env;
  log: Logger;
  conn: Connection;
  models: Models;
  redis: RedisClient;
  keys: RedisKeys;
  index: TaskIndex;
  hub: Hub;
  sessions: Sessions;
  tokens: ApiTokens;
  accounts: AccountDirectory;
  assets: AssetStore;
  tasks: TaskService;
  dispatcher: Dispatcher;
  leadership: Leadership;
  projector: Projector;
  reconciler: Reconciler;
  submitLimiter: RateLimiterRedis;
  authLimiter: { loginByEmail: RateLimiterRedis; loginByIp: RateLimiterRedis; registerByIp: RateLimiterRedis };
  queue: BeeQueue;
  instance: string;
  close(): Promise<void>;
}

export async function createServices(env: Env, log: Logger): Promise<Services> {
  const keys = redisKeys(env.REDIS_PREFIX);
  const { box } = loadSecretBox({
    key: env.ZPUB_SECRET_KEY,
    previous: env.ZPUB_SECRET_KEY_PREVIOUS,
    dataDir: env.DATA_DIR,
    production: env.NODE_ENV === 'production',
  });
  const { conn, models } = await connectMongo(env.MONGODB_URI);
  const redis = createRedis(env.REDIS_URL, log, 'commands', { failFast: true });
  const blocking = createRedis(env.REDIS_URL, log, 'stream');
  const subscriber = createRedis(env.REDIS_URL, log, 'pubsub');
  await Promise.all([redis.connect(), blocking.connect(), subscriber.connect()]);

  const queue = createQueue(keys, env.REDIS_URL, log, { worker: false });

  const states = new TaskStates(redis, keys, { streamMaxLen: env.EVENT_STREAM_MAXLEN });
  const pause = pausePoints(env.TEST_PAUSE_DIR, env.NODE_ENV === 'production', log);
  const index = new TaskIndex();
  // Where the stream stands before the snapshot is read: replaying from the projector's
  // checkpoint covers everything MongoDB may not have yet.
  const checkpoint = await redis.get(keys.projectorCheckpoint);
  const started = Date.now();
  for await (const doc of models.Task.find({}).lean().cursor({ batchSize: 1000 })) index.loadDoc(doc);
  log.info({ tasks: index.size, ms: Date.now() - started }, 'task index loaded');

  const hub = new Hub(redis, blocking, keys, index, { states, models }, log);
  const accounts = new AccountDirectory(models, box);
  const sessions = new Sessions(models, redis, subscriber, keys.sessionRevokedChannel, env.SESSION_TTL_DAYS, log);
  await sessions.start();
  const tokens = new ApiTokens(models, redis, subscriber, keys.tokenRevokedChannel, log);
  await tokens.start();

  let slots = 4;
  const refreshSlots = async () => {
    slots = await liveSlots(redis, keys.workers, env.WORKER_TIMEOUT_MS).catch(() => slots);
  };
  await refreshSlots();
  const slotTimer = setInterval(() => void refreshSlots(), 2000);

  const dispatcher = new Dispatcher(
    index,
    states,
    queue,
    accounts,
    (e) => index.apply(e),
    {
      userMaxRunning: env.USER_MAX_RUNNING,
      accountMinIntervalS: env.ACCOUNT_MIN_INTERVAL_S,
      autoRetries: env.AUTO_RETRIES,
      retryBackoffMs: env.RETRY_BACKOFF_MS,
      liveSlots: () => slots,
    },
    log.child({ part: 'dispatcher' }),
  );
  const leadership = new Leadership(redis, keys.leader, keys.leaderEpoch, log);
  const projector = new Projector({
    redis,
    keys,
    models,
    states,
    lease: () => leadership.currentLease,
    holds: (lease) => leadership.holds(lease),
    pause,
    log: log.child({ part: 'projector' }),
  });
  const assets = new AssetStore(models);
  const checks = new ArticleChecks(accounts, assets);
  const guard = new ArticleGuard(redis, keys, states, models, log.child({ part: 'article-guard' }));
  const tasks = new TaskService({ models, redis, keys, states, index, accounts, checks, guard, queue, kickDispatcher: () => dispatcher.kick(), pause, log });
  const reconciler = new Reconciler(
    index,
    states,
    models,
    redis,
    keys,
    queue,
    () => dispatcher.kick(),
    {
      intervalMs: env.RECONCILE_INTERVAL_MS,
      queuedGraceMs: env.RECONCILE_QUEUED_GRACE_MS,
      workerTimeoutMs: env.WORKER_TIMEOUT_MS,
      finishCreates: (olderThanMs) => tasks.finishInterrupted(olderThanMs),
    },
    log.child({ part: 'reconciler' }),
  );
  leadership.onChange((leader) => {
    dispatcher.setActive(leader);
    projector.setActive(leader);
    reconciler.setActive(leader);
  });

  hub.onEvents((events) => {
    projector.kick();
    // A task that ends or leaves the queue frees room for the next one.
    if (events.some((e) => e.status !== 'running' || e.stage === 'browser')) dispatcher.kick();
  });
  hub.start(checkpoint);

  const submitLimiter = new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: true,
    keyPrefix: `${keys.rateLimit}:submit`,
    points: env.USER_MAX_PER_MINUTE,
    duration: 60,
  });
  const perMinute = (name: string, points: number) =>
    new RateLimiterRedis({ storeClient: redis, useRedisPackage: true, keyPrefix: `${keys.rateLimit}:${name}`, points, duration: 60 });
  const authLimiter = {
    loginByEmail: perMinute('login-email', env.LOGIN_MAX_PER_MINUTE),
    // Several people may share an address (an office, a NAT): more room than for one email.
    loginByIp: perMinute('login-ip', env.LOGIN_MAX_PER_MINUTE * 5),
    registerByIp: perMinute('register-ip', env.REGISTER_MAX_PER_MINUTE),
  };
  leadership.start();

  return {
    env,
    log,
    conn,
    models,
    redis,
    keys,
    index,
    hub,
    sessions,
    tokens,
    accounts,
    assets,
    tasks,
    dispatcher,
    leadership,
    projector,
    reconciler,
    submitLimiter,
    authLimiter,
    queue,
    instance: `${hostname()}:${process.pid}`,
    async close() {
      clearInterval(slotTimer);
      await leadership.stop();
      await dispatcher.stop();
      await projector.stop();
      reconciler.setActive(false);
      await hub.stop();
      await queue.close(2000).catch(() => undefined);
      await Promise.all([redis, blocking, subscriber].map((c) => c.quit().catch(() => c.destroy())));
      await conn.close();
    },
  };
}
