import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { isTerminal } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1, serverEnv: { USER_MAX_RUNNING: '1' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('priority, schedule and statistics', () => {
  it("runs a user's waiting tasks by priority", async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    // The first task holds the user's only slot while the others are created.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 3000, times: 1, author: account.name });
    const { taskId: first } = await user.api.task.create.mutate({ accountId: account.id, title: '占位', content: 'x' });
    await rec.until((es) => es.some((e) => e.taskId === first && e.status === 'running'), 60_000, 'the first to run');
    const low = (await user.api.task.create.mutate({ accountId: account.id, title: '低', content: 'x', priority: 'low' })).taskId;
    const normal = (await user.api.task.create.mutate({ accountId: account.id, title: '中', content: 'x' })).taskId;
    const high = (await user.api.task.create.mutate({ accountId: account.id, title: '高', content: 'x', priority: 'high' })).taskId;
    await rec.until((es) => [low, normal, high].every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 120_000, 'all to end');
    rec.stop();
    const started = rec.events.filter((e) => e.stage === 'browser').map((e) => e.taskId);
    expect(started).toEqual([first, high, normal, low]);
  });

  it('holds a scheduled task pending until its time, then runs it; a cancelled one never runs', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const at = new Date(Date.now() + 6000);
    at.setMilliseconds(0);
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '定时发布', content: 'x', scheduledAt: at.toISOString() });
    const { taskId: dropped } = await user.api.task.create.mutate({ accountId: account.id, title: '定时但取消', content: 'x', scheduledAt: at.toISOString() });
    await new Promise((r) => setTimeout(r, 2000));
    expect((await user.api.task.byId.query({ id: taskId })).status).toBe('pending');
    await user.api.task.cancel.mutate({ id: dropped });
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 60_000, 'the scheduled task to end');
    await new Promise((r) => setTimeout(r, 2000));
    rec.stop();
    const queuedAt = Date.parse(rec.of(taskId).find((e) => e.status === 'queued')?.at ?? '');
    expect(queuedAt).toBeGreaterThanOrEqual(at.getTime());
    expect(rec.of(taskId).at(-1)?.status).toBe('success');
    expect(rec.of(dropped).map((e) => e.status)).toEqual(['pending', 'cancelled']);
    const titles = (await stack.sandboxApi.articles(account.name)).map((a) => a.title);
    expect(titles).toEqual(['定时发布']);
  });

  it('reschedules a pending task', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const { taskId } = await user.api.task.create.mutate({
      accountId: account.id,
      title: '改期',
      content: 'x',
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    const soon = new Date(Date.now() + 1000).toISOString();
    await user.api.task.reschedule.mutate({ id: taskId, scheduledAt: soon });
    const rec = user.record();
    await rec.started;
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 60_000, 'the rescheduled task to run');
    rec.stop();
    expect(rec.of(taskId).at(-1)?.status).toBe('success');
    expect((await user.api.task.byId.query({ id: taskId })).scheduledAt).toBe(soon);
  });

  it('reports statistics that match the tasks created', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const since = new Date().toISOString();
    await stack.sandboxApi.fault({ kind: 'phone-binding', times: 2, author: account.name });
    const rec = user.record();
    await rec.started;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await user.api.task.create.mutate({ accountId: account.id, title: `统计 ${i}`, content: 'x' })).taskId);
    const scheduled = (await user.api.task.create.mutate({ accountId: account.id, title: '还没到', content: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString() })).taskId;
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 120_000, 'five tasks to end');
    rec.stop();
    const stats = await user.api.stats.summary.query({ since });
    expect(stats.total).toBe(6);
    expect(stats.byStatus).toMatchObject({ success: 3, failed: 2, pending: 1, running: 0, queued: 0 });
    expect(stats.successRate).toBeCloseTo(3 / 5);
    expect(stats.failuresByCode).toEqual([{ code: 'PHONE_BINDING_REQUIRED', count: 2 }]);
    expect(stats.durationMs.count).toBe(3);
    expect(stats.durationMs.p50).toBeGreaterThan(0);
    expect(stats.durationMs.p95 ?? 0).toBeGreaterThanOrEqual(stats.durationMs.p50 ?? 0);
    expect(stats.perHour.reduce((n, h) => n + h.created, 0)).toBe(6);
    expect(stats.perHour.reduce((n, h) => n + h.success, 0)).toBe(3);
    expect(scheduled).toBeTruthy();
    // Another user's numbers do not leak into these.
    const other = await User.register(stack.urls.app);
    expect((await other.api.stats.summary.query({ since })).total).toBe(0);
  });
});
