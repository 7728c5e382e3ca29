/**
 * The server's composition root: connects to MongoDB and Redis, loads the live tasks (never the
 * history: lists read the indexes in Redis), and wires the hub, dispatcher, projector, reconciler
 * and index rebuild. `createServices` is used by main.ts and by tests.
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
import { BatchedLimiter } from './batched-limiter';
import { Dispatcher } from './dispatcher';
import { Hub } from './hub';
import { IndexRebuild } from './index-rebuild';
import { Leadership } from './leader';
import { LiveTasks } from './live-tasks';
import { Projector } from './projector';
import { Reconciler } from './reconciler';
import { Sessions } from './sessions';
import { Stats } from './stats';
import { TaskLists } from './task-lists';
import { TaskRows } from './task-rows';
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
  live: LiveTasks;
  rows: TaskRows;
  lists: TaskLists;
  stats: Stats;
  rebuild: IndexRebuild;
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
  submitLimiter: BatchedLimiter;
  authLimiter: { loginByEmail: RateLimiterRedis; loginByIp: RateLimiterRedis; registerByIp: RateLimiterRedis };
  queue: BeeQueue;
  instance: string;
  /** How long each step of this process's start took (ms), for `/metrics` and the start log line. */
  startup: Record<string, number>;
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
  const { conn, models, scansBeyondId, timings } = await connectMongo(env.MONGODB_URI);
  const startup: Record<string, number> = { mongoConnect: timings.connectMs, mongoIndexes: timings.indexesMs };
  if (scansBeyondId) log.info('the MongoDB server is FerretDB: version-conditional writes read the version by _id first (docs/state.md)');
  let mark = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    startup[name] = now - mark;
    mark = now;
  };
  const redis = createRedis(env.REDIS_URL, log, 'commands', { failFast: true });
  const blocking = createRedis(env.REDIS_URL, log, 'stream');
  const subscriber = createRedis(env.REDIS_URL, log, 'pubsub');
  await Promise.all([redis.connect(), blocking.connect(), subscriber.connect()]);
  phase('redisConnect');

  const queue = createQueue(keys, env.REDIS_URL, log, { worker: false });

  const states = new TaskStates(redis, keys, { streamMaxLen: env.EVENT_STREAM_MAXLEN, terminalTtlS: env.TASK_ROW_TTL_S });
  const pause = pausePoints(env.TEST_PAUSE_DIR, env.NODE_ENV === 'production', log);
  const rows = new TaskRows(redis, keys, models);
  const lists = new TaskLists(redis, keys, rows);
  const stats = new Stats(redis, keys, lists, rows);
  const live = new LiveTasks(redis, keys, states, (id) => rows.one(id, 'rows'), log.child({ part: 'live' }));
  // Where the stream stands before the live tasks are read: every change after it is replayed
  // onto them (versions only move rows forward), so nothing falls between the read and the follow.
  const position = await Hub.currentPosition(redis, keys.events);
  await live.sync();
  phase('liveTasks');
  log.info({ live: live.size, ms: Math.round(startup.liveTasks ?? 0) }, 'live tasks loaded (the history stays in MongoDB and the Redis indexes)');

  const hub = new Hub(redis, blocking, keys, live, { rows, lists }, log);
  const accounts = new AccountDirectory(models, box);
  const sessions = new Sessions(models, redis, subscriber, keys.sessionRevokedChannel, env.SESSION_TTL_DAYS, log);
  await sessions.start();
  const tokens = new ApiTokens(models, redis, subscriber, keys.tokenRevokedChannel, log);
  await tokens.start();
  phase('sessionsAndTokens');

  let slots = 4;
  const refreshSlots = async () => {
    slots = await liveSlots(redis, keys.workers, env.WORKER_TIMEOUT_MS).catch(() => slots);
  };
  await refreshSlots();
  const slotTimer = setInterval(() => void refreshSlots(), 2000);

  const dispatcher = new Dispatcher(
    live,
    states,
    queue,
    accounts,
    (e) => live.apply(e),
    { client: redis, keys },
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
    scansBeyondId,
    streamMaxLen: env.EVENT_STREAM_MAXLEN,
    pause,
    log: log.child({ part: 'projector' }),
  });
  const assets = new AssetStore(models);
  const checks = new ArticleChecks(accounts, assets);
  const guard = new ArticleGuard(redis, keys, states, models, log.child({ part: 'article-guard' }));
  const tasks = new TaskService({ models, redis, keys, states, live, rows, accounts, checks, guard, queue, kickDispatcher: () => dispatcher.kick(), pause, log, publicOrigin: env.PUBLIC_ORIGIN });
  const rebuild = new IndexRebuild(redis, keys, models, states, rows, () => leadership.holds(leadership.currentLease), pause, log.child({ part: 'index' }));
  await rebuild.markIfNothingToIndex();
  phase('indexCheck');
  const reconciler = new Reconciler(
    live,
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
      checkIndexes: () => rebuild.check(),
    },
    log.child({ part: 'reconciler' }),
  );
  leadership.onChange((leader) => {
    dispatcher.setActive(leader);
    projector.setActive(leader);
    reconciler.setActive(leader);
    if (leader) void rebuild.check().catch((err: Error) => log.warn({ err: err.message }, 'could not check the task indexes'));
  });
  // Events carry every change, but a task restored by a rebuild elsewhere, or an event this
  // process could not read, is caught by comparing with Redis's set of live tasks now and then.
  const liveTimer = setInterval(() => void live.sync().catch((err: Error) => log.warn({ err: err.message }, 'could not compare the live tasks with Redis')), env.RECONCILE_INTERVAL_MS);

  hub.onStreamRead((events, span) => projector.streamRead(events, span));
  hub.onEvents((events) => {
    projector.kick();
    // A task that ends or leaves the queue frees room for the next one.
    if (events.some((e) => e.status !== 'running' || e.stage === 'browser')) dispatcher.kick();
  });
  hub.start(position);

  // Asked on every submission: the consumptions of a turn go to Redis together.
  const submitLimiter = new BatchedLimiter(redis, { keyPrefix: `${keys.rateLimit}:submit`, points: env.USER_MAX_PER_MINUTE, durationS: 60 });
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
    live,
    rows,
    lists,
    stats,
    rebuild,
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
    startup,
    async close() {
      clearInterval(slotTimer);
      clearInterval(liveTimer);
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
