/**
 * Redis, MongoDB and the server restart under load; no task is lost, none published twice, the
 * API says "temporarily unavailable" in between, and subscribers resume without a gap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { article, isTerminal } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1, serverEnv: { USER_MAX_RUNNING: '4', RECONCILE_INTERVAL_MS: '2000', RECONCILE_QUEUED_GRACE_MS: '5000' } });
});
afterAll(async () => {
  await stack?.stop();
});

async function batchOf20(user: User, accountId: string) {
  const res = await user.api.task.createBatch.mutate({ accountId, articles: Array.from({ length: 20 }, (_, i) => article(i)) });
  return res.created.map((c) => c.taskId);
}

describe('outages', () => {
  it('loses no task when Redis restarts during a batch of 20', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const ids = await batchOf20(user, account.id);
    const redis = stack.redis;
    if (!redis) throw new Error('no redis');
    await new Promise((r) => setTimeout(r, 3000));
    await redis.stop();
    const refused = await expectRefusal(user.api.task.create.mutate({ accountId: account.id, title: '停机时', content: 'x' }));
    expect(refused).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(refused.message).toMatch(/temporarily unavailable/);
    await new Promise((r) => setTimeout(r, 2000));
    await redis.restart();
    const rec = user.record('0000000000000-000000');
    await rec.started;
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 240_000, 'all 20 to end');
    rec.stop();
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(ids.map(() => 'success'));
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(20);
  });

  it('loses no task when MongoDB restarts during a batch of 20', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const ids = await batchOf20(user, account.id);
    const ferret = stack.ferret;
    if (!ferret) throw new Error('no ferretdb');
    await new Promise((r) => setTimeout(r, 3000));
    await ferret.stop();
    const refused = await expectRefusal(user.api.task.create.mutate({ accountId: account.id, title: '停机时', content: 'x' }));
    expect(refused).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    await new Promise((r) => setTimeout(r, 2000));
    await ferret.restart();
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 240_000, 'all 20 to end');
    rec.stop();
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(ids.map(() => 'success'));
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(20);
    // The durable records caught up too.
    const page = await user.api.task.list.query({ status: 'success', limit: 100 });
    expect(page.total).toBe(20);
  });

  it('runs the tasks a worker takes while MongoDB is down, once each, when it is back', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const ferret = stack.ferret;
    const worker = stack.workers[0];
    if (!ferret || !worker) throw new Error('no ferretdb or worker');
    const rec = user.record();
    await rec.started;
    // Queued while the worker is frozen, so that it takes them only once MongoDB is gone.
    worker.signal('SIGSTOP');
    const res = await user.api.task.createBatch.mutate({ accountId: account.id, articles: [0, 1, 2].map((i) => article(i)) });
    const ids = res.created.map((c) => c.taskId);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && e.status === 'queued')), 60_000, 'all three to be queued');
    await ferret.stop();
    worker.signal('SIGCONT');
    // The claim lives in Redis: the worker takes all three while MongoDB is away.
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && e.status === 'running')), 60_000, 'the worker to claim all three');
    // Longer than the driver's 5 s server selection timeout: the claim's own MongoDB record waits.
    await new Promise((r) => setTimeout(r, 8000));
    await ferret.restart();
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 180_000, 'all three to end');
    rec.stop();
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(ids.map(() => 'success'));
    const titles = (await stack.sandboxApi.articles(account.name)).map((a) => a.title).sort();
    expect(titles).toEqual([0, 1, 2].map((i) => article(i).title));
  });

  it('resumes a subscriber from lastEventId when the server restarts mid-task, every event once', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 4000, times: 1, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '服务器重启', content: 'x' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the login stage');
    await stack.server.stop({ graceMs: 10_000 });
    await stack.server.restart();
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 90_000, 'the end, after the restart');
    rec.stop();
    const events = rec.of(taskId);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events.map((e) => e.v)).toEqual(events.map((_, i) => i));
    expect(events.at(-1)?.status).toBe('success');
  });
});
