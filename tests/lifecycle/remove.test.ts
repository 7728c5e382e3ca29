/**
 * Removing ended tasks: the row leaves every list and every open tab, and MongoDB keeps nothing of
 * it (document, body, timeline, evidence screenshots). Tasks that have not ended are refused until
 * cancelled, and nothing (a retry, a late worker, a server restart) brings a removed task back.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { isTerminal } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1 });
});
afterAll(async () => {
  await stack?.stop();
});

/** What MongoDB still holds of a task, per collection. */
async function leftovers(taskId: string): Promise<Record<string, number>> {
  const db = await stack.db();
  const _id = new Types.ObjectId(taskId);
  return {
    tasks: await db.collection('tasks').countDocuments({ _id }),
    task_contents: await db.collection('task_contents').countDocuments({ _id }),
    task_timelines: await db.collection('task_timelines').countDocuments({ _id }),
    evidence: await db.collection('evidence').countDocuments({ taskId: _id }),
  };
}

describe('remove', () => {
  it('removes a failed task with its body, timeline and screenshot; skips what has not ended and what is not yours', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'phone-binding', author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId: failed } = await user.api.task.create.mutate({ accountId: account.id, title: '要删除的失败任务', content: '正文' });
    const { taskId: waiting } = await user.api.task.create.mutate({
      accountId: account.id,
      title: '还没开始的任务',
      content: '正文',
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await rec.until((es) => es.some((e) => e.taskId === failed && isTerminal(e)), 60_000, 'the task to fail');
    expect(rec.of(failed).at(-1)).toMatchObject({ status: 'failed', error: { code: 'PHONE_BINDING_REQUIRED' } });
    // The evidence is there before: a screenshot and its document.
    await expect.poll(async () => (await user.fetch(`${stack.urls.app}/api/evidence/${failed}`)).status, { timeout: 10_000 }).toBe(200);
    await expect.poll(() => leftovers(failed), { timeout: 10_000 }).toEqual({ tasks: 1, task_contents: 1, task_timelines: 1, evidence: 1 });

    // Another user's remove finds nothing to remove and changes nothing.
    const other = await User.register(stack.urls.app);
    const foreign = await other.api.task.removeMany.mutate({ ids: [failed] });
    expect(foreign).toEqual({ changed: [], skipped: [{ id: failed, reason: 'No such task', code: 'NOT_FOUND' }] });
    expect((await expectRefusal(other.api.task.remove.mutate({ id: failed }))).code).toBe('NOT_FOUND');

    const before = await user.api.task.list.query({ limit: 100 });
    const res = await user.api.task.removeMany.mutate({ ids: [failed, waiting] });
    expect(res.changed).toEqual([failed]);
    expect(res.skipped).toEqual([{ id: waiting, reason: expect.stringMatching(/^Cannot remove a task that is pending: cancel it first/), code: 'TASK_STATE', status: 'pending' }]);

    // Gone from the answer of every read, at once.
    expect((await expectRefusal(user.api.task.byId.query({ id: failed }))).code).toBe('NOT_FOUND');
    const after = await user.api.task.list.query({ limit: 100 });
    expect(after.total).toBe(before.total - 1);
    expect(after.items.map((t) => t.id)).toEqual([waiting]);
    expect(await user.api.task.byIds.query({ ids: [failed, waiting] })).toHaveLength(1);
    expect((await user.fetch(`${stack.urls.app}/api/evidence/${failed}`)).status).toBe(404);
    // The document, body and screenshot leave MongoDB before the answer.
    expect(await leftovers(failed)).toMatchObject({ tasks: 0, task_contents: 0, evidence: 0 });
    // The statistics no longer count it.
    expect((await user.api.stats.summary.query({})).total).toBe(1);

    // Every open tab hears of it: the task's last event says removed.
    await rec.until((es) => es.some((e) => e.taskId === failed && e.removed === true), 10_000, 'the removed event');
    expect(rec.of(failed).at(-1)).toMatchObject({ stage: 'removed', removed: true, status: 'failed' });
    // A projection round under way when the remove came may still have written the timeline it
    // held (its last events); the round that holds the removal deletes it again.
    await expect.poll(() => leftovers(failed), { timeout: 10_000 }).toEqual({ tasks: 0, task_contents: 0, task_timelines: 0, evidence: 0 });

    // Nothing brings it back: not a retry, not a second remove, not a server restart.
    expect((await expectRefusal(user.api.task.retry.mutate({ id: failed }))).code).toBe('NOT_FOUND');
    expect((await expectRefusal(user.api.task.remove.mutate({ id: failed }))).code).toBe('NOT_FOUND');
    rec.stop();
    await stack.server.stop({ graceMs: 5000 });
    await stack.server.restart();
    expect((await expectRefusal(user.api.task.byId.query({ id: failed }))).code).toBe('NOT_FOUND');
    expect((await user.api.task.list.query({ limit: 100 })).items.map((t) => t.id)).toEqual([waiting]);
    expect(await leftovers(failed)).toEqual({ tasks: 0, task_contents: 0, task_timelines: 0, evidence: 0 });
    // The task that had not ended is untouched.
    expect((await user.api.task.byId.query({ id: waiting })).status).toBe('pending');
  });

  it('refuses a running task until it is cancelled; the stopped worker cannot bring it back', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 20_000, author: account.name });
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '运行中的任务', content: '正文' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the task to run');
    const running = await expectRefusal(user.api.task.remove.mutate({ id: taskId }));
    expect(running.code).toBe('CONFLICT');
    expect(running.message).toMatch(/^Cannot remove a task that is running: cancel it first/);
    expect((await user.api.task.byId.query({ id: taskId })).status).toBe('running');

    await user.api.task.cancel.mutate({ id: taskId });
    expect(await user.api.task.remove.mutate({ id: taskId })).toEqual({ removed: true });
    // The worker closes its page and reports back late; none of that may land anywhere.
    await new Promise((r) => setTimeout(r, 3000));
    rec.stop();
    const after = rec.of(taskId);
    expect(after.at(-1)).toMatchObject({ stage: 'removed', removed: true, status: 'cancelled' });
    expect(after.filter((e) => e.removed)).toHaveLength(1);
    expect((await expectRefusal(user.api.task.byId.query({ id: taskId }))).code).toBe('NOT_FOUND');
    expect((await user.api.task.list.query({ limit: 100 })).total).toBe(0);
    expect(await leftovers(taskId)).toEqual({ tasks: 0, task_contents: 0, task_timelines: 0, evidence: 0 });
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
  });
});
