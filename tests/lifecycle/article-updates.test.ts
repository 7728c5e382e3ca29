/**
 * The API contract for updating an article in place and for draft-only tasks (issue 14): the
 * fields are checked, saved and returned, and one user never has two unfinished tasks for the
 * same Zhihu article. No worker runs here: every task waits for tomorrow, so what is tested is
 * what the server accepts and refuses. (The worker's side comes with the adapter.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';

let stack: TestStack;
let alice: User;
let accountId: string;
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
const X = '1234567890123456789';
const Y = '223456789012345678';

beforeAll(async () => {
  stack = await bootStack({ workers: 0 });
  alice = await User.register(stack.urls.app);
  accountId = (await alice.sandboxAccount()).id;
});

afterAll(async () => {
  await stack?.stop();
});

const article = (articleId: string) => ({ title: `更新 ${articleId}`, content: '新的正文', scheduledAt: tomorrow(), articleId });
const update = (articleId: string, extra: Record<string, unknown> = {}) => ({ accountId, ...article(articleId), ...extra });

describe('articleId and mode', () => {
  it('are saved on the task and returned by task.byId; mode defaults to publish', async () => {
    const a = await alice.api.task.create.mutate(update(X, { mode: 'draft' }));
    expect(await alice.api.task.byId.query({ id: a.taskId })).toMatchObject({ articleId: X, mode: 'draft', status: 'pending' });
    const doc = await (await stack.db()).collection('tasks').findOne({ title: `更新 ${X}` });
    expect(doc).toMatchObject({ articleId: X, mode: 'draft' });
    const plain = await alice.api.task.create.mutate({ accountId, title: '新文章', content: '正文', scheduledAt: tomorrow() });
    const detail = await alice.api.task.byId.query({ id: plain.taskId });
    expect(detail.mode).toBe('publish');
    expect(detail.articleId).toBeUndefined();
    await alice.api.task.cancelMany.mutate({ ids: [a.taskId, plain.taskId] });
  });

  it('refuses bad values with their own codes in a batch', async () => {
    const res = await alice.api.task.createBatch.mutate({
      accountId,
      articles: [
        { title: 't', content: 'c', articleId: '42' },
        { title: 't', content: 'c', articleId: 123456789012345 },
        { title: 't', content: 'c', mode: 'private' },
      ],
    });
    expect(res.rejected.map((r) => r.code)).toEqual(['INVALID_ARTICLE_ID', 'INVALID_ARTICLE_ID', 'INVALID_MODE']);
    expect(res.rejected[0]?.message).toBe('articleId: A Zhihu article id is the 15-20 digits at the end of its address (https://zhuanlan.zhihu.com/p/<id>)');
  });
});

describe('one unfinished task per article', () => {
  it('refuses a second task for an article while the first has not ended, naming it; and takes it once the first ended', async () => {
    const first = await alice.api.task.create.mutate(update(X));
    const refused = await expectRefusal(alice.api.task.create.mutate(update(X)));
    expect(refused).toMatchObject({ code: 'CONFLICT', status: 409, appCode: 'ARTICLE_BUSY' });
    expect(refused.message).toBe(`Zhihu article ${X} is already being updated by task ${first.taskId}, which is pending; wait for it to end (or cancel it), then submit again`);

    // Per user: someone else's task for the same id is theirs to make.
    const bob = await User.register(stack.urls.app);
    const bobAccount = await bob.sandboxAccount();
    await bob.api.task.create.mutate({ ...update(X), accountId: bobAccount.id });

    // In a batch: the busy one and a doubled one are refused, the rest goes.
    const batch = await alice.api.task.createBatch.mutate({
      accountId,
      articles: [article(X), article(Y), { title: '另一篇', content: '正文', scheduledAt: tomorrow() }, article(Y)],
    });
    expect(batch.created.map((c) => c.index)).toEqual([2]);
    expect(batch.rejected).toEqual([
      { index: 0, code: 'ARTICLE_BUSY', message: expect.stringContaining(`is already being updated by task ${first.taskId}`) },
      { index: 1, code: 'ARTICLE_BUSY', message: `articleId: Zhihu article ${Y} appears more than once in this submission; send one update per article` },
      { index: 3, code: 'ARTICLE_BUSY', message: `articleId: Zhihu article ${Y} appears more than once in this submission; send one update per article` },
    ]);

    await alice.api.task.cancel.mutate({ id: first.taskId });
    const second = await alice.api.task.create.mutate(update(X));
    // The first may not come back while the second is open; once the second ended, it may.
    expect(await expectRefusal(alice.api.task.retry.mutate({ id: first.taskId }))).toMatchObject({ code: 'CONFLICT', appCode: 'ARTICLE_BUSY', message: expect.stringContaining(second.taskId) });
    expect((await alice.api.task.retryMany.mutate({ ids: [first.taskId] })).skipped[0]?.reason).toContain(`already being updated by task ${second.taskId}`);
    await alice.api.task.cancel.mutate({ id: second.taskId });
    expect(await alice.api.task.retry.mutate({ id: first.taskId })).toEqual({ status: 'pending' });
    // And the one retried holds the article again.
    expect(await expectRefusal(alice.api.task.create.mutate(update(X)))).toMatchObject({ appCode: 'ARTICLE_BUSY', message: expect.stringContaining(first.taskId) });
    await alice.api.task.cancel.mutate({ id: first.taskId });
  });

  it('lets exactly one of two simultaneous submissions for an article through', async () => {
    const Z = '323456789012345678';
    const results = await Promise.allSettled([alice.api.task.create.mutate(update(Z)), alice.api.task.create.mutate(update(Z)), alice.api.task.create.mutate(update(Z))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(await expectRefusal(Promise.reject(r.reason))).toMatchObject({ appCode: 'ARTICLE_BUSY' });
    const open = (await alice.api.task.list.query({ status: 'pending', limit: 100 })).items.filter((t) => t.title === `更新 ${Z}`);
    expect(open).toHaveLength(1);
  });
});
