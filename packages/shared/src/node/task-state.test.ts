import { startRedis, tempDir, type RedisHandle, type TempDir } from '@zpub/devstack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskError } from '../errors';
import { note } from '../notes';
import { readAfter } from './event-stream';
import { redisKeys } from './keys';
import { createLogger } from './logger';
import { createRedis, type RedisClient } from './redis';
import type { TaskSummary } from '../events';
import { TaskStates, VERSION_STRIDE } from './task-state';

// A real redis-server on a free port: the scripts are what is under test.
let dir: TempDir;
let server: RedisHandle;
let redis: RedisClient;
const keys = redisKeys(`t${Date.now()}`);

beforeAll(async () => {
  dir = await tempDir('zpub-redis-');
  server = await startRedis({ dir: dir.path });
  redis = createRedis(server.url, createLogger('test', 'silent'), 'test');
  await redis.connect();
});

afterAll(async () => {
  await redis.quit();
  await server.stop();
  await dir.cleanup();
});

const summary: TaskSummary = {
  accountId: 'a1',
  platform: 'sandbox',
  title: '标题 "quoted" </script>',
  topics: ['编程', 'x'],
  priority: 'normal',
  createdAt: new Date().toISOString(),
};

describe('TaskStates', () => {
  it('creates a pending task and appends a created event carrying the summary', async () => {
    const states = new TaskStates(redis, keys);
    const [id] = await states.create([{ taskId: 'task1', userId: 'u1', summary }]);
    expect(id).toBeTruthy();
    const state = await states.get('task1');
    expect(state).toMatchObject({ status: 'pending', attempt: 0, v: 0, userId: 'u1', accountId: 'a1' });
    const events = await readAfter(redis, keys.events, null, 10);
    expect(events.at(-1)).toMatchObject({ taskId: 'task1', status: 'pending', v: 0, stage: 'created', task: summary });
    // A second create of the same id is refused, not duplicated.
    expect(await states.create([{ taskId: 'task1', userId: 'u1', summary }])).toEqual([null]);
  });

  it('registers a whole batch in order when Redis has forgotten its scripts (a restart empties the cache)', async () => {
    const states = new TaskStates(redis, keys);
    const batch = (from: number) => Array.from({ length: 20 }, (_, i) => ({ taskId: `flush${from + i}`, userId: 'u1', summary }));
    expect((await states.create(batch(0))).every((id) => id !== null)).toBe(true);
    // The scripts were run, so the next batch goes out at once; every call must load it again.
    await redis.scriptFlush();
    const ids = await states.create([...batch(20), { taskId: 'flush0', userId: 'u1', summary }]);
    expect(ids.slice(0, 20).every((id) => id !== null)).toBe(true);
    expect(ids[20]).toBeNull();
    const created = (await readAfter(redis, keys.events, null, 1000)).filter((e) => e.taskId.startsWith('flush'));
    expect(created.map((e) => e.taskId)).toEqual(Array.from({ length: 40 }, (_, i) => `flush${i}`));
    expect((await states.get('flush39'))?.status).toBe('pending');
  });

  it('moves only from the expected states and only for the expected attempt', async () => {
    const states = new TaskStates(redis, keys);
    await states.create([{ taskId: 'task2', userId: 'u1', summary }]);
    const queued = await states.transition('task2', { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: 'j1' } });
    expect(queued).toMatchObject({ ok: true, v: 1, attempt: 0, from: 'pending', progress: 5 });
    // A second dispatch of the same task loses the race.
    expect(await states.transition('task2', { from: ['pending'], to: 'queued', stage: 'queued' })).toEqual({
      ok: false,
      reason: 'conflict',
      status: 'queued',
      attempt: 0,
    });
    const claim = await states.claim('task2', 'j1', 'w1', 2, taskError('WORKER_LOST'), 'tok-1');
    expect(claim).toMatchObject({ ok: true, attempt: 1, stalls: 0 });
    // A stale worker of attempt 0 cannot write; the current one can.
    expect(await states.transition('task2', { from: ['running'], to: 'running', attempt: 0, stage: 'login' })).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    // The same attempt number under another claim's token (a Redis that handed it out twice) cannot either.
    expect(await states.transition('task2', { from: ['running'], to: 'running', attempt: 1, token: 'tok-other', stage: 'login' })).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    const done = await states.transition('task2', {
      from: ['running'],
      to: 'success',
      attempt: 1,
      token: 'tok-1',
      stage: 'verified',
      result: { url: 'http://x/p/1234567890123456789', articleId: '1234567890123456789' },
    });
    expect(done).toMatchObject({ ok: true, v: 3, attempt: 1, from: 'running' });
    expect(await redis.ttl(keys.task('task2'))).toBeGreaterThan(0);
    const events = (await readAfter(redis, keys.events, null, 100)).filter((e) => e.taskId === 'task2');
    expect(events.map((e) => [e.status, e.progress, e.v])).toEqual([
      ['pending', 0, 0],
      ['queued', 5, 1],
      ['running', 10, 2],
      ['success', 100, 3],
    ]);
    expect(events.at(-1)?.result?.articleId).toBe('1234567890123456789');
    // The outcome stays with the live state (what a repair of a trimmed stream writes back).
    expect(JSON.parse((await states.get('task2'))?.result ?? '{}')).toMatchObject({ articleId: '1234567890123456789' });
    // Every change marked the task as changed, at the time of its event.
    const lastMs = Number(events.at(-1)?.id.split('-')[0]);
    expect(await redis.zScore(keys.changed, 'task2')).toBe(lastMs);
  });

  it('refuses a job that is not the current one and counts stalls up to the limit', async () => {
    const states = new TaskStates(redis, keys);
    await states.create([{ taskId: 'task3', userId: 'u1', summary }]);
    await states.transition('task3', { from: ['pending'], to: 'queued', stage: 'queued', set: { jobId: 'j2' } });
    expect(await states.claim('task3', 'old-job', 'w1', 1, taskError('WORKER_LOST'), 'a')).toEqual({ ok: false, reason: 'stale-job' });
    expect(await states.claim('task3', 'j2', 'w1', 1, taskError('WORKER_LOST'), 'b')).toMatchObject({ ok: true, attempt: 1, stalls: 0 });
    // The worker died; Bee-Queue hands the same job to another worker.
    expect(await states.claim('task3', 'j2', 'w2', 1, taskError('WORKER_LOST'), 'c')).toMatchObject({ ok: true, attempt: 2, stalls: 1 });
    const third = await states.claim('task3', 'j2', 'w3', 1, taskError('WORKER_LOST'), 'd');
    expect(third).toMatchObject({ ok: false, reason: 'stall-limit' });
    const state = await states.get('task3');
    expect(state?.status).toBe('failed');
    const last = (await readAfter(redis, keys.events, null, 1000)).filter((e) => e.taskId === 'task3').at(-1);
    expect(last?.error?.code).toBe('WORKER_LOST');
  });

  it('rebuilds a lost state above every version MongoDB may lag behind, and re-versions on request', async () => {
    const states = new TaskStates(redis, keys);
    const rebuilt = await states.ensure({
      _id: 'task4',
      userId: 'u1',
      accountId: 'a1',
      platform: 'sandbox',
      title: summary.title,
      topics: summary.topics,
      priority: 'normal',
      status: 'running',
      attempt: 2,
      v: 5,
      progress: 40,
      stage: 'editor',
      error: taskError('PUBLISH_TIMEOUT'),
      createdAt: new Date(summary.createdAt),
      updatedAt: new Date(),
    });
    expect(rebuilt).toBe(true);
    const state = await states.get('task4');
    expect(state).toMatchObject({ status: 'running', attempt: 2, v: 5 + VERSION_STRIDE, token: '' });
    // A worker that still runs attempt 2 cannot write to the rebuilt state: its claim is gone.
    expect(await states.transition('task4', { from: ['running'], to: 'running', attempt: 2, token: 'lost', stage: 'login' })).toMatchObject({ ok: false });
    expect(await states.reversion('task4', 5, 9, note('reannounced'))).toEqual({ ok: false });
    const moved = await states.reversion('task4', 5 + VERSION_STRIDE, 7 + 2 * VERSION_STRIDE, note('reannounced'), summary);
    expect(moved.ok).toBe(true);
    const last = (await readAfter(redis, keys.events, null, 1000)).filter((e) => e.taskId === 'task4').at(-1);
    expect(last).toMatchObject({ status: 'running', stage: 'editor', progress: 40, attempt: 2, v: 7 + 2 * VERSION_STRIDE, task: summary, error: { code: 'PUBLISH_TIMEOUT' } });
  });
});
