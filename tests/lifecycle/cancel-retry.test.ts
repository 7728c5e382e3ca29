import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from '../support/client';
import { waitFor } from '../support/sandbox';
import { bootStack, type TestStack } from '../support/stack';
import { isTerminal } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

const later = () => new Date(Date.now() + 3600_000).toISOString();

describe('cancel', () => {
  it('cancels a pending (scheduled) task: it never runs', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '定时后取消', content: 'x', scheduledAt: later() });
    expect((await user.api.task.byId.query({ id: taskId })).status).toBe('pending');
    expect(await user.api.task.cancel.mutate({ id: taskId })).toEqual({ status: 'cancelled' });
    const detail = await user.api.task.byId.query({ id: taskId });
    expect(detail.status).toBe('cancelled');
    // A second cancel is refused with a reason, and cancelled tasks can be retried later.
    const again = await expectRefusal(user.api.task.cancel.mutate({ id: taskId }));
    expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('is cancelled') });
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
  });

  it('cancels a running task: the worker closes its context within seconds and nothing is published', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 30_000, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '运行中取消', content: 'x' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the task to be running');
    const cancelAt = Date.now();
    await user.api.task.cancel.mutate({ id: taskId });
    const log = await waitFor(async () => {
      const text = await readFile(stack.workers[0]?.logFile ?? '', 'utf8');
      const mine = text.split('\n').filter((l) => l.includes(`"taskId":"${taskId}"`));
      const closed = mine.some((l) => l.includes('cancel received; closing the browser context'));
      const ended = mine.some((l) => l.includes('attempt ended: the task was cancelled or taken over'));
      return closed && ended ? text : null;
    }, 'the worker to close the context', 10_000);
    expect(log).toContain('cancel received; closing the browser context');
    expect(Date.now() - cancelAt).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 2000));
    rec.stop();
    expect(rec.of(taskId).at(-1)?.status).toBe('cancelled');
    expect(rec.of(taskId).filter((e) => e.status === 'cancelled')).toHaveLength(1);
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
  });

  it('cancels a queued task: when a worker comes, it never runs', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const worker = stack.workers[0];
    if (!worker) throw new Error('no worker');
    await worker.stop({ graceMs: 15_000 });
    try {
      const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '排队中取消', content: 'x' });
      await waitFor(async () => (await user.api.task.byId.query({ id: taskId })).status === 'queued', 'the task to be queued', 20_000);
      await user.api.task.cancel.mutate({ id: taskId });
      await worker.restart();
      await new Promise((r) => setTimeout(r, 4000));
      const detail = await user.api.task.byId.query({ id: taskId });
      expect(detail.status).toBe('cancelled');
      expect(detail.events.some((e) => e.status === 'running')).toBe(false);
      expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
    } finally {
      if (!worker.running) await worker.restart();
    }
  });

  it('refuses to cancel a task past its click on 发布 (nothing can call it back); the task ends published, one article', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // The article goes live at the click; the editor then waits 6 s before leaving for its page.
    await stack.sandboxApi.fault({ kind: 'slow-redirect', ms: 6000, times: 1, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '点击发布后取消', content: 'x' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'submitted'), 60_000, 'the click');
    const refusal = await expectRefusal(user.api.task.cancel.mutate({ id: taskId }));
    expect(refusal).toMatchObject({ code: 'CONFLICT', appCode: 'TASK_PAST_CLICK', message: expect.stringContaining('already clicked 发布') });
    const many = await user.api.task.cancelMany.mutate({ ids: [taskId] });
    expect(many).toEqual({ changed: [], skipped: [expect.objectContaining({ id: taskId, code: 'TASK_PAST_CLICK' })] });
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 60_000, 'the task to end');
    rec.stop();
    expect(rec.of(taskId).at(-1)).toMatchObject({ status: 'success', stage: 'verified' });
    expect(rec.of(taskId).some((e) => e.status === 'cancelled')).toBe(false);
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(1);
  });
});

describe('retry', () => {
  it('retries an unconfirmed task whose article was published after all: success with that URL, still one article', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // The editor never leaves and nothing is stored: the worker cannot prove anything.
    await stack.sandboxApi.fault({ kind: 'no-redirect', publish: false, times: 1, author: account.name });
    const rec = user.record();
    await rec.started;
    const title = `迟到的发布 ${Date.now()}`;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title, content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 90_000, 'the first attempt to end');
    expect(rec.of(taskId).at(-1)?.status).toBe('unconfirmed');
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);

    // Zhihu published it after all (a late write on their side): the article appears.
    // As the page does it: the session cookie, and the `_xsrf` cookie echoed in `x-xsrftoken`.
    const headers = { Cookie: `z_c0=sandbox-${account.name}; _xsrf=late`, 'x-xsrftoken': 'late', 'Content-Type': 'application/json' };
    const draft = await fetch(`${stack.urls.sandbox}/api/articles/drafts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title, content: '<p>正文</p>', delta_time: 0 }),
    });
    const draftId = /"id"\s*:\s*"?(\d+)/.exec(await draft.text())?.[1];
    expect(draft.status).toBe(200);
    const put = await fetch(`${stack.urls.sandbox}/api/articles/${draftId}/publish`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ title, content: '<p>正文</p>', topics: [], column: null, commentPermission: 'anyone' }),
    });
    expect(put.status).toBe(200);

    expect(await user.api.task.retry.mutate({ id: taskId })).toEqual({ status: 'pending' });
    await rec.until((es) => es.filter((e) => e.taskId === taskId && isTerminal(e)).length >= 2, 90_000, 'the retry to end');
    rec.stop();
    const events = rec.of(taskId);
    const last = events.at(-1);
    expect(last).toMatchObject({ status: 'success', stage: 'duplicate', attempt: 2 });
    expect(last?.result?.url).toBe(`${stack.urls.sandbox}/p/${draftId}`);
    // Attempt 2 has events of its own and never reached the editor.
    expect(events.filter((e) => e.attempt === 2).map((e) => e.stage)).toEqual(['browser', 'login', 'duplicate']);
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(1);
  });

  it('refuses to retry a task that succeeded', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '成功的不重试', content: 'x' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.status === 'success'), 90_000, 'success');
    rec.stop();
    const refused = await expectRefusal(user.api.task.retry.mutate({ id: taskId }));
    expect(refused).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('only failed, cancelled or unconfirmed') });
  });
});
