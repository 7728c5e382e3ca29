/**
 * StreamTail against a real Redis stream read by a real StreamFollower: whatever the tail answers
 * must be exactly what reading the stream after the same position answers, and it must decline
 * (null) whenever it cannot be sure of that.
 */
import { startRedis, tempDir, type RedisHandle, type TempDir } from '@zpub/devstack';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventIdFromStreamId } from '../events';
import { StreamFollower, StreamTail, readAfter, type StreamEvent } from './event-stream';
import { createLogger } from './logger';
import { createRedis, type RedisClient } from './redis';

let dir: TempDir;
let server: RedisHandle;
let redis: RedisClient;
let blocking: RedisClient;
const log = createLogger('test', 'silent');

beforeAll(async () => {
  dir = await tempDir('zpub-redis-');
  server = await startRedis({ dir: dir.path });
  redis = createRedis(server.url, log, 'test');
  blocking = createRedis(server.url, log, 'test-blocking');
  await Promise.all([redis.connect(), blocking.connect()]);
});

afterAll(async () => {
  await Promise.all([redis.quit(), blocking.quit()]);
  await server.stop();
  await dir.cleanup();
});

async function add(key: string, n: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i++) {
    const e = { taskId: `t${i % 7}`, userId: 'u', attempt: 0, v: i, status: 'pending', progress: 0, stage: 'created', at: new Date().toISOString() };
    ids.push(eventIdFromStreamId(await redis.xAdd(key, '*', { e: JSON.stringify(e) })));
  }
  return ids;
}

/** Follows `key` from the start into a tail until it has read `upTo`. */
async function follow(key: string, tail: StreamTail, upTo: string): Promise<StreamFollower> {
  let last = '';
  const follower = new StreamFollower(blocking, key, null, (events, span) => {
    tail.push(events, span);
    last = span.last;
  }, log);
  follower.start();
  for (let i = 0; i < 200 && last < upTo; i++) await new Promise((r) => setTimeout(r, 25));
  expect(last).toBe(upTo);
  return follower;
}

it('answers every position it holds exactly as the stream does, and leaves the rest to the stream', async () => {
  const key = 'tail-a';
  const ids = await add(key, 60);
  const tail = new StreamTail(1_000);
  const follower = await follow(key, tail, ids[59] ?? '');
  // Going forward, as a projector does: each answer equals the stream's.
  for (const at of [ids[0], ids[10], ids[11], ids[40]]) {
    const position = at ?? '';
    expect(tail.after(position, 15)).toEqual(await readAfter(redis, key, position, 15));
  }
  // Let go of what came before the last position asked: an older one goes to the stream.
  expect(tail.after(ids[10] ?? '', 5)).toBeNull();
  // Nothing after the newest event read: the stream decides (it may hold newer ones).
  expect(tail.after(ids[59] ?? '', 5)).toBeNull();
  await follower.stop();
});

it('keeps only the newest events it is allowed, and starts again after a stretch it did not see', async () => {
  const key = 'tail-b';
  const ids = await add(key, 30);
  const tail = new StreamTail(10);
  const follower = await follow(key, tail, ids[29] ?? '');
  expect(tail.size).toBe(10);
  expect(tail.after(ids[5] ?? '', 100)).toBeNull();
  expect(tail.after(ids[19] ?? '', 100)).toEqual(await readAfter(redis, key, ids[19] ?? '', 100));
  await follower.stop();

  // A batch that does not continue the last one (a repaired gap): only what follows it is held.
  const more = await add(key, 5, 30);
  const lone: StreamEvent[] = (await readAfter(redis, key, more[2] ?? '', 10)).slice(0, 2);
  tail.push(lone, { after: more[2] ?? '', last: more[4] ?? '' });
  expect(tail.after(ids[25] ?? '', 100)).toBeNull();
  expect(tail.after(more[2] ?? '', 100)?.map((e) => e.id)).toEqual([more[3], more[4]]);
  tail.clear();
  expect(tail.after(more[2] ?? '', 100)).toBeNull();
});
