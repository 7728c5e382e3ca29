import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal, refusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { article, isTerminal, maxOverlap, runningSpans } from '../support/tasks';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1, serverEnv: { USER_MAX_RUNNING: '2', USER_MAX_PER_MINUTE: '30' } });
});
afterAll(async () => {
  await stack?.stop();
});

describe('fair limits', () => {
  it("starts user B's task before user A's 10th finishes, and never runs 3 of A's at once", async () => {
    const a = await User.register(stack.urls.app);
    const b = await User.register(stack.urls.app);
    const accountA = await a.sandboxAccount();
    const accountB = await b.sandboxAccount();
    const recA = a.record();
    const recB = b.record();
    await Promise.all([recA.started, recB.started]);
    const batch = await a.api.task.createBatch.mutate({ accountId: accountA.id, articles: Array.from({ length: 40 }, (_, i) => article(i)) });
    expect(batch.created).toHaveLength(40);
    const { taskId: bTask } = await b.api.task.create.mutate({ accountId: accountB.id, title: 'B 的文章', content: 'x' });
    await recB.until((es) => es.some((e) => e.taskId === bTask && isTerminal(e)), 120_000, "B's task to end");
    const bStart = Date.parse(recB.of(bTask).find((e) => e.stage === 'browser')?.at ?? '');
    await recA.until((es) => es.filter((e) => e.status === 'success').length >= 10, 180_000, "A's first 10 successes");
    const aTenthEnd = Date.parse(recA.events.filter((e) => e.status === 'success')[9]?.at ?? '');
    expect(recB.of(bTask).at(-1)?.status).toBe('success');
    expect(bStart).toBeLessThan(aTenthEnd);

    await recA.until((es) => batch.created.every((c) => es.some((e) => e.taskId === c.taskId && isTerminal(e))), 240_000, 'all of A');
    recA.stop();
    recB.stop();
    expect(maxOverlap(runningSpans(recA.events))).toBeLessThanOrEqual(2);
    // The limit was reached, not just respected by a slow machine.
    expect(maxOverlap(runningSpans(recA.events))).toBe(2);
    expect(await stack.sandboxApi.articles(accountA.name)).toHaveLength(40);
  });

  it('refuses the 31st submission within a minute with RATE_LIMITED and saves nothing', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    for (let i = 0; i < 30; i++) {
      await user.api.task.create.mutate({ accountId: account.id, title: `限流 ${i}`, content: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
    }
    const before = (await user.api.task.list.query({})).total;
    const refused = await expectRefusal(user.api.task.create.mutate({ accountId: account.id, title: '第 31 篇', content: 'x' }));
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', status: 429 });
    expect(refused.message).toMatch(/try again in \d+ s/);
    // Once refused, the server knows the answer until the window ends; it is the same answer.
    const again = await expectRefusal(user.api.task.create.mutate({ accountId: account.id, title: '第 32 篇', content: 'x' }));
    expect(again).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', status: 429 });
    expect(again.message).toMatch(/try again in \d+ s/);
    expect((await user.api.task.list.query({})).total).toBe(before);
    // The limit is judged while the task is being saved: a refused one leaves nothing in MongoDB.
    const db = await stack.db();
    expect(await db.collection('tasks').countDocuments({ title: { $in: ['第 31 篇', '第 32 篇'] } })).toBe(0);
    // Another user is not affected by the first one's limit.
    const other = await User.register(stack.urls.app);
    const otherAccount = await other.sandboxAccount();
    await other.api.task.create.mutate({ accountId: otherAccount.id, title: '别人的', content: 'x', scheduledAt: new Date(Date.now() + 3600_000).toISOString() });
  });

  it('counts submissions that arrive together one by one: of 40 sent at once, 30 are saved and 10 refused', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const later = new Date(Date.now() + 3600_000).toISOString();
    const content = `同时到达 ${Date.now()}`;
    const sent = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => user.api.task.create.mutate({ accountId: account.id, title: `同时 ${i}`, content, scheduledAt: later })),
    );
    const refused = sent.flatMap((r) => (r.status === 'rejected' ? [refusal(r.reason)] : []));
    expect(sent.filter((r) => r.status === 'fulfilled')).toHaveLength(30);
    expect(refused.map((r) => r.appCode)).toEqual(Array.from({ length: 10 }, () => 'RATE_LIMITED'));
    expect((await user.api.task.list.query({})).total).toBe(30);
    // The 10 refused were saved while their limit was asked, and removed before the answer.
    const db = await stack.db();
    const accepted = sent.flatMap((r) => (r.status === 'fulfilled' ? [r.value.taskId] : [])).sort();
    const stored = await db.collection('task_contents').find({ content }).project({ _id: 1 }).toArray();
    expect(stored.map((d) => String(d._id)).sort()).toEqual(accepted);
    expect(await db.collection('tasks').countDocuments({ _id: { $in: stored.map((d) => d._id) } })).toBe(30);
  });
});
