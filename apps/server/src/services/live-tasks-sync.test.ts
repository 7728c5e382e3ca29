/**
 * LiveTasks.sync against a real Redis: the rows a server holds are compared with the hashes and
 * the live set (one script call per chunk), and only what changed is read again.
 */
import { startRedis, tempDir, type RedisHandle, type TempDir } from '@zpub/devstack';
import { TaskStates, createLogger, createRedis, redisKeys, type RedisClient } from '@zpub/shared/node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveTasks } from './live-tasks';

let dir: TempDir;
let server: RedisHandle;
let redis: RedisClient;
const keys = redisKeys('sync-test');
const log = createLogger('live-tasks-sync-test', 'warn');

beforeAll(async () => {
  dir = await tempDir('zpub-redis-');
  server = await startRedis({ dir: dir.path });
  redis = createRedis(server.url, log, 'test');
  await redis.connect();
}, 60_000);

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
  await dir?.cleanup();
});

const oid = (n: number) => n.toString(16).padStart(24, '0');

async function put(n: number, status: string, v: number): Promise<void> {
  await redis.hSet(keys.task(oid(n)), { status, v: String(v), userId: oid(100), accountId: oid(200), title: `任务 ${n}`, createdAt: String(Date.UTC(2026, 11, 1) + n), attempt: '0' });
  if (['pending', 'queued', 'running'].includes(status)) await redis.sAdd(keys.live, oid(n));
  else await redis.sRem(keys.live, oid(n));
}

it('reads again only the tasks that changed, ended, vanished or are new, however many are held', async () => {
  const live = new LiveTasks(redis, keys, new TaskStates(redis, keys), () => Promise.resolve(null), log);
  // More than one chunk (500) of held tasks.
  for (let n = 1; n <= 1_200; n++) await put(n, 'pending', 0);
  expect(await live.sync()).toEqual({ loaded: 1_200, dropped: 0 });
  expect(await live.sync()).toEqual({ loaded: 0, dropped: 0 });

  await put(7, 'running', 3); // moved on without this process seeing the event
  await put(600, 'success', 5); // ended: leaves the live set
  await redis.del(keys.task(oid(1_100)));
  await redis.sRem(keys.live, oid(1_100)); // removed
  await put(1_201, 'queued', 1); // new
  await put(900, 'pending', 0); // unchanged

  // Read again: the moved-on, the new and the ended one (its hash says so, and it is let go);
  // the removed one has no hash to read and is dropped.
  expect(await live.sync()).toEqual({ loaded: 3, dropped: 1 });
  expect(live.get(oid(7))).toMatchObject({ status: 'running', v: 3 });
  expect(live.get(oid(1_201))).toMatchObject({ status: 'queued', v: 1 });
  expect(live.get(oid(600))).toBeUndefined();
  expect(live.get(oid(1_100))).toBeUndefined();
  expect(live.get(oid(900))).toMatchObject({ status: 'pending', v: 0 });
  expect(live.size).toBe(1_199);
  expect(await live.sync()).toEqual({ loaded: 0, dropped: 0 });
});
