import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { article, isTerminal } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1, serverEnv: { USER_MAX_RUNNING: '2' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('batches', () => {
  it('accepts 497 of 500 in one answer, rejects 3 by index, and cancelMany stops every one of them', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // Editor pages load slowly, so the few tasks that start are still loading when cancelled.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 20_000, author: account.name });
    const articles: unknown[] = Array.from({ length: 500 }, (_, i) => article(i));
    articles[7] = { title: '', content: 'x' };
    articles[250] = { title: '长'.repeat(101), content: 'x' };
    articles[499] = { title: 't', content: 'x', topics: ['a', 'b', 'c', 'd'] };
    const rec = user.record();
    await rec.started;
    const res = await user.api.task.createBatch.mutate({ accountId: account.id, articles });
    expect(res.total).toBe(500);
    expect(res.created).toHaveLength(497);
    expect(res.rejected).toEqual([
      { index: 7, code: 'TITLE_REQUIRED', message: 'title: Title is empty', field: 'title' },
      { index: 250, code: 'TITLE_TOO_LONG', message: expect.stringContaining('at most 100 characters'), field: 'title' },
      { index: 499, code: 'TOO_MANY_TOPICS', message: expect.stringContaining('At most 3 topics'), field: 'topics' },
    ]);
    expect(res.created.map((c) => c.index)).not.toContain(7);
    const listed = await user.api.task.list.query({ batchId: res.batchId ?? undefined, limit: 100 });
    expect(listed.total).toBe(497);

    const ids = res.created.map((c) => c.taskId);
    const cancelled = await user.api.task.cancelMany.mutate({ ids });
    expect(cancelled.changed).toHaveLength(497);
    expect(cancelled.skipped).toEqual([]);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && e.status === 'cancelled')), 60_000, 'every cancel event');
    const running = await user.api.task.list.query({ batchId: res.batchId ?? undefined, status: ['pending', 'queued', 'running'] });
    expect(running.total).toBe(0);
    // Give a stray worker time to misbehave, then check nothing was published and nothing ran on.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
    for (const id of ids) expect(rec.of(id).at(-1)?.status).toBe('cancelled');
    rec.stop();
  });

  it('publishes the 38 valid articles of a batch of 40, exactly 38 in the sandbox', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const articles: unknown[] = Array.from({ length: 40 }, (_, i) => article(i));
    articles[3] = { title: 'no body', content: '' };
    articles[31] = { content: 'no title' };
    const rec = user.record();
    await rec.started;
    const res = await user.api.task.createBatch.mutate({ accountId: account.id, articles });
    expect(res.rejected.map((r) => [r.index, r.code])).toEqual([
      [3, 'CONTENT_REQUIRED'],
      [31, 'TITLE_REQUIRED'],
    ]);
    const ids = res.created.map((c) => c.taskId);
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && isTerminal(e))), 200_000, '38 tasks to end');
    rec.stop();
    expect(ids.map((id) => rec.of(id).at(-1)?.status)).toEqual(ids.map(() => 'success'));
    const published = await stack.sandboxApi.articles(account.name);
    expect(published).toHaveLength(38);
    expect(new Set(published.map((a) => a.title)).size).toBe(38);
    const page = await user.api.task.list.query({ batchId: res.batchId ?? undefined, status: 'success', limit: 100 });
    expect(page.total).toBe(38);
    expect(page.items.every((t) => t.batchId === res.batchId && t.result?.url)).toBe(true);
  });
});
