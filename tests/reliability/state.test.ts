/**
 * The state's fences under the failures they exist for: Redis rolled back to a snapshot taken
 * mid-publish, a server killed between MongoDB and Redis while creating, and a projector that
 * fell so far behind that the stream was trimmed past it. One stack; pause points (TEST_PAUSE_DIR)
 * hold the server at the exact moment a test needs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { waitFor } from '../support/sandbox';
import { bootStack, type TestStack } from '../support/stack';
import { article, isTerminal } from '../support/tasks';

let stack: TestStack;
const pauseDir = mkdtempSync(join(tmpdir(), 'zpub-pause-'));

beforeAll(async () => {
  stack = await bootStack({
    workers: 1,
    serverEnv: { USER_MAX_RUNNING: '8', RECONCILE_INTERVAL_MS: '2000', RECONCILE_QUEUED_GRACE_MS: '5000', TEST_PAUSE_DIR: pauseDir },
    // A short stream, so that a projector held for one batch finds part of it trimmed.
    env: { EVENT_STREAM_MAXLEN: '20' },
  });
});
afterAll(async () => {
  await stack?.stop();
  rmSync(pauseDir, { recursive: true, force: true });
});

async function redisCommand<T>(fn: (c: ReturnType<typeof createClient>) => Promise<T>): Promise<T> {
  const client = createClient({ url: stack.urls.redis });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.quit();
  }
}

async function logHas(file: string, text: string): Promise<boolean> {
  return (await readFile(file, 'utf8')).includes(text);
}

/** Rewrites the AOF from memory (a point-in-time image) and copies it aside. */
async function snapshotRedis(): Promise<string> {
  const redis = stack.redis;
  if (!redis) throw new Error('no redis');
  await redisCommand(async (c) => {
    await c.sendCommand(['BGREWRITEAOF']);
    await waitFor(async () => /aof_rewrite_in_progress:0/.test(await c.info('persistence')) && /aof_rewrite_scheduled:0/.test(await c.info('persistence')), 'the AOF rewrite', 30_000);
  });
  const copy = join(stack.dir, 'redis-snapshot');
  await rm(copy, { recursive: true, force: true });
  await cp(join(redis.dir, 'appendonlydir'), copy, { recursive: true });
  return copy;
}

async function restoreRedis(snapshot: string): Promise<void> {
  const redis = stack.redis;
  if (!redis) throw new Error('no redis');
  await redis.kill('SIGKILL');
  await rm(join(redis.dir, 'appendonlydir'), { recursive: true, force: true });
  await cp(snapshot, join(redis.dir, 'appendonlydir'), { recursive: true });
  await redis.restart();
}

describe('the state under failures', () => {
  it('ends every task once with one article when Redis is rolled back to a snapshot taken mid-publish', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // Each article goes live, then the editor waits before showing it: Redis dies in that wait.
    await stack.sandboxApi.fault({ kind: 'slow-redirect', ms: 6000, times: 3, author: account.name });
    const rec = user.record();
    await rec.started;
    // Due in a few seconds: the snapshot holds them pending, before any worker claimed them.
    const due = new Date(Date.now() + 4000).toISOString();
    const batch = await user.api.task.createBatch.mutate({ accountId: account.id, articles: [0, 1, 2].map((i) => article(i, { title: `回滚 ${i}`, scheduledAt: due })) });
    const ids = batch.created.map((c) => c.taskId);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id)), 10_000, 'the created events');
    const snapshot = await snapshotRedis();
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(['pending', 'pending', 'pending']);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && e.stage === 'submitted')), 90_000, 'three clicks');
    await new Promise((r) => setTimeout(r, 1500)); // the publish requests reach the sandbox
    await restoreRedis(snapshot);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && e.status === 'success')), 180_000, 'all three to succeed');
    // What the user sees settles on success, once, for each task.
    const rows = await waitFor(async () => {
      const page = await user.api.task.list.query({ limit: 10 });
      return page.items.every((r) => r.status === 'success') && page.items.length === 3 && page.items;
    }, 'the list to show three successes', 60_000);
    expect(rows.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    rec.stop();
    for (const id of ids) expect(rec.of(id).filter((e) => e.status === 'success')).toHaveLength(1);
    // The restored Redis handed attempt 1 out again; MongoDB knew it was taken, so the new claim
    // became attempt 2, which knew of the click and found the article instead of publishing again.
    for (const id of ids) expect(rec.of(id).at(-1)).toMatchObject({ status: 'success', attempt: 2, stage: 'duplicate' });
    expect(await logHas(stack.workers[0]?.logFile ?? '', 'attempt numbers already taken in MongoDB were skipped')).toBe(true);
    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles.map((a) => a.title).sort()).toEqual(['回滚 0', '回滚 1', '回滚 2']);
    // The durable records agree (a server started later lists from them).
    const db = await stack.db();
    // The projector writes them a moment after the events: wait for it, then check what it wrote.
    const docs = await waitFor(async () => {
      const found = await db.collection('tasks').find({ title: { $in: ['回滚 0', '回滚 1', '回滚 2'] } }).toArray();
      return found.length === 3 && found.every((d) => d.status === 'success') && found;
    }, 'MongoDB to hold the three successes', 30_000).catch(async () => db.collection('tasks').find({ title: { $in: ['回滚 0', '回滚 1', '回滚 2'] } }).toArray());
    expect(docs.map((d) => d.status)).toEqual(['success', 'success', 'success']);
    for (const d of docs) expect(articles.map((a) => a.id)).toContain((d.result as { articleId: string }).articleId);
  });

  it('loses no task when the server is killed between saving it in MongoDB and registering it in Redis', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await writeFile(join(pauseDir, 'create-register'), '');
    const answer = user.api.task.create.mutate({ accountId: account.id, title: '两个存储之间', content: '正文' }).catch((err: Error) => err);
    await waitFor(() => logHas(stack.server.logFile, '"point":"create-register"'), 'the server to pause between the two stores', 30_000);
    await stack.server.kill('SIGKILL');
    expect(await answer).toBeInstanceOf(Error);
    await rm(join(pauseDir, 'create-register'));
    await stack.server.restart();
    const row = await waitFor(async () => {
      const page = await user.api.task.list.query({ limit: 10 });
      return page.items.find((r) => r.title === '两个存储之间' && r.status === 'success');
    }, 'the saved task to be registered and published', 120_000);
    expect(row.attempt).toBe(1);
    expect((await user.api.task.list.query({ limit: 10 })).total).toBe(1);
    expect((await stack.sandboxApi.articles(account.name)).map((a) => a.title)).toEqual(['两个存储之间']);
    expect(await logHas(stack.server.logFile, 'a create interrupted between MongoDB and Redis was finished')).toBe(true);
  });

  it('repairs MongoDB from the live states when the stream was trimmed past the projector', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    await writeFile(join(pauseDir, 'projector-write'), '');
    const batch = await user.api.task.createBatch.mutate({ accountId: account.id, articles: Array.from({ length: 20 }, (_, i) => article(i)) });
    const ids = batch.created.map((c) => c.taskId);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 240_000, '20 tasks to end');
    rec.stop();
    // The precondition: events the projector has not written are gone from the stream (its
    // checkpoint's entry was trimmed, so was everything up to the oldest entry kept).
    const { checkpoint, oldest } = await redisCommand(async (c) => {
      const last = (await c.get(`${stack.prefix}:projector:last`)) ?? '';
      const [ms = '0', seq = '0'] = last.split('-');
      const streamId = `${Number(ms)}-${Number(seq)}`;
      return { checkpoint: await c.xRange(`${stack.prefix}:events`, streamId, streamId), oldest: (await c.xRange(`${stack.prefix}:events`, '-', '+', { COUNT: 1 }))[0]?.id ?? '' };
    });
    expect(checkpoint).toEqual([]);
    expect(oldest).not.toBe('');
    await rm(join(pauseDir, 'projector-write'));
    await waitFor(() => logHas(stack.server.logFile, 'gap in the event stream repaired from the live states'), 'the gap repair', 60_000);
    const metrics = await (await fetch(`${stack.urls.app}/metrics`)).text();
    expect(Number(/^zpub_stream_gaps_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    const db = await stack.db();
    const docs = await waitFor(async () => {
      const found = await Promise.all(ids.map((id) => db.collection('tasks').findOne({ _id: new mongoose.Types.ObjectId(id) })));
      return found.every((d) => d?.status === 'success') && found;
    }, 'every task document to say success', 60_000);
    for (const d of docs) expect(d?.result).toMatchObject({ url: expect.stringContaining('/p/') });
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(20);
  });

  it("shows a task's newest events in its detail while MongoDB's timeline does not hold them yet", async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const db = await stack.db();
    const timelineStages = async (id: string) =>
      (((await db.collection('task_timelines').findOne({ _id: new mongoose.Types.ObjectId(id) }))?.events ?? []) as { stage: string }[]).map((e) => e.stage);
    await writeFile(join(pauseDir, 'projector-write'), '');
    let taskId = '';
    try {
      // Scheduled an hour ahead, so that no worker takes it: its only events are the two below.
      ({ taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '还在流里', content: '正文', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() }));
      // Its creation, only in the stream so far, says it was scheduled (not a plain creation told by the document).
      expect((await user.api.task.byId.query({ id: taskId })).events.map((e) => e.stage)).toEqual(['scheduled']);
      await user.api.task.cancel.mutate({ id: taskId });
      // The precondition: the projector is held, so MongoDB's timeline lacks the cancellation.
      expect(await timelineStages(taskId)).not.toContain('cancelled');
      const detail = await user.api.task.byId.query({ id: taskId });
      expect(detail.status).toBe('cancelled');
      expect(detail.events.map((e) => e.stage)).toEqual(['scheduled', 'cancelled']);
    } finally {
      await rm(join(pauseDir, 'projector-write'));
    }
    await waitFor(async () => (await timelineStages(taskId)).includes('cancelled'), 'the cancellation in MongoDB', 60_000);
    expect((await user.api.task.byId.query({ id: taskId })).events.map((e) => e.stage)).toEqual(['scheduled', 'cancelled']);
  });

  it("keeps a plain creation out of MongoDB's timeline and still shows it first in the task's detail", async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const db = await stack.db();
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '只记一次创建', content: '正文' });
    // A worker may take it first; either way the cancellation is its last event.
    await user.api.task.cancel.mutate({ id: taskId }).catch(() => undefined);
    const stored = await waitFor(async () => {
      const t = await db.collection('task_timelines').findOne({ _id: new mongoose.Types.ObjectId(taskId) });
      const events = (t?.events ?? []) as { stage: string; v: number }[];
      return events.some((e) => e.stage === 'cancelled' || e.stage === 'verified') && events;
    }, "the task's last event in MongoDB", 60_000);
    expect(stored.filter((e) => e.v === 0)).toEqual([]);
    const doc = await db.collection('tasks').findOne({ _id: new mongoose.Types.ObjectId(taskId) });
    const detail = await user.api.task.byId.query({ id: taskId });
    const [first, ...rest] = detail.events;
    expect(first).toMatchObject({ stage: 'created', status: 'pending', v: 0, attempt: 0, at: doc?.createdAt.toISOString() });
    expect(rest.map((e) => e.stage)).toEqual(stored.map((e) => e.stage));
    expect(rest.every((e) => first && e.id > first.id)).toBe(true);
  });
});
