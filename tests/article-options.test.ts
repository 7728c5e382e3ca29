/**
 * Zhihu's per-article settings through the API: column (checked against the columns the account's
 * login check found), cover, creation statement and comment permission. Each bad value is refused
 * with its field named, nothing of a refused article is saved, and a batch keeps its good articles.
 */
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from './support/client';
import { bootStack, type TestStack } from './support/stack';

let stack: TestStack;
let user: User;

const COLUMNS = [
  { id: 'c_1001', title: '前端笔记' },
  { id: 'c_1002', title: '读书' },
];

beforeAll(async () => {
  stack = await bootStack({ workers: 0 });
  user = await User.register(stack.urls.app);
});

afterAll(async () => {
  await stack?.stop();
});

/** What the worker's login check writes onto the account when it reads the account's columns. */
async function checkedWithColumns(accountId: string, columns: { id: string; title: string }[]): Promise<void> {
  const db = await stack.db();
  await db.collection('accounts').updateOne({ _id: new Types.ObjectId(accountId) }, { $set: { columns, state: 'active', verifiedAt: new Date() } });
}

async function taskCount(accountId: string): Promise<number> {
  return (await stack.db()).collection('tasks').countDocuments({ accountId: new Types.ObjectId(accountId) });
}

const OPTIONS = { column: 'c_1002', cover: 'https://pic.example.com/cover.png', statement: 'fictional_creation', commentPermission: 'censor' } as const;

describe('account.list', () => {
  it('has no columns until a login check read them, then lists them', async () => {
    const { id } = await user.sandboxAccount();
    expect((await user.api.account.list.query()).find((a) => a.id === id)?.columns).toBeUndefined();
    await checkedWithColumns(id, COLUMNS);
    expect((await user.api.account.list.query()).find((a) => a.id === id)?.columns).toEqual(COLUMNS);
  });
});

describe('task.create with Zhihu settings', () => {
  let accountId: string;
  beforeAll(async () => {
    accountId = (await user.sandboxAccount()).id;
    await checkedWithColumns(accountId, COLUMNS);
  });

  it('saves them and returns them in the task detail (not in list rows)', async () => {
    const { taskId } = await user.api.task.create.mutate({ accountId, title: '带设置', content: '正文', ...OPTIONS });
    const detail = await user.api.task.byId.query({ id: taskId });
    expect(detail).toMatchObject({ title: '带设置', ...OPTIONS });
    const plain = await user.api.task.create.mutate({ accountId, title: '默认设置', content: '正文' });
    const plainDetail = await user.api.task.byId.query({ id: plain.taskId });
    for (const key of Object.keys(OPTIONS)) expect(plainDetail).not.toHaveProperty(key);
  });

  it('refuses a column the account does not have, naming it and the known ones, and saves nothing', async () => {
    const before = await taskCount(accountId);
    const r = await expectRefusal(user.api.task.create.mutate({ accountId, title: '错专栏', content: '正文', column: 'c_9999' }));
    expect(r).toMatchObject({ code: 'BAD_REQUEST', appCode: 'INVALID_COLUMN', status: 400 });
    expect(r.message).toBe(
      'column: "c_9999" is not one of this account\'s columns: c_1001 (前端笔记), c_1002 (读书). If the column is new, verify the account again to refresh the list',
    );
    expect(await taskCount(accountId)).toBe(before);
  });

  it('accepts any well-formed column while the account’s columns are not known yet', async () => {
    const fresh = (await user.sandboxAccount()).id;
    const { taskId } = await user.api.task.create.mutate({ accountId: fresh, title: '未知专栏', content: '正文', column: 'c_12345' });
    expect((await user.api.task.byId.query({ id: taskId })).column).toBe('c_12345');
  });

  it('refuses every column when the login check found none', async () => {
    const none = (await user.sandboxAccount()).id;
    await checkedWithColumns(none, []);
    const r = await expectRefusal(user.api.task.create.mutate({ accountId: none, title: '无专栏', content: '正文', column: 'c_1001' }));
    expect(r).toMatchObject({ appCode: 'INVALID_COLUMN' });
    expect(r.message).toMatch(/^column: This account has no columns on Zhihu/);
    expect(await taskCount(none)).toBe(0);
  });

  it.each([
    ['column', { column: 'https://zhuanlan.zhihu.com/c_1001' }, /^column: A column is named by its id/],
    ['cover', { cover: 'javascript:alert(1)' }, /^cover: Expected an http\(s\) image address or an uploaded image/],
    ['cover', { cover: '/assets/not-a-hash' }, /^cover: Expected an http\(s\) image address/],
    ['statement', { statement: '虚构创作' }, /^statement: /],
    ['commentPermission', { commentPermission: 'everyone' }, /^commentPermission: /],
  ])('refuses a bad %s, naming the field', async (field, bad, message) => {
    const before = await taskCount(accountId);
    const r = await expectRefusal(user.api.task.create.mutate({ accountId, title: '坏设置', content: '正文', ...(bad as object) }));
    expect(r.code).toBe('BAD_REQUEST');
    expect(r.message).toMatch(message);
    expect(r.message.startsWith(`${field}: `)).toBe(true);
    expect(await taskCount(accountId)).toBe(before);
  });
});

describe('task.createBatch with Zhihu settings', () => {
  it('refuses each bad article with its code and field, and creates the others with their settings', async () => {
    const accountId = (await user.sandboxAccount()).id;
    await checkedWithColumns(accountId, COLUMNS);
    const res = await user.api.task.createBatch.mutate({
      accountId,
      articles: [
        { title: '好 1', content: '正文', ...OPTIONS },
        { title: '坏专栏', content: '正文', column: 'c_404' },
        { title: '坏封面', content: '正文', cover: 'ftp://example.com/a.png' },
        { title: '坏声明', content: '正文', statement: 'opinion' },
        { title: '坏评论', content: '正文', commentPermission: 'friends' },
        { title: '好 2', content: '正文', column: 'c_1001', statement: 'ai_creation' },
      ],
    });
    expect(res.total).toBe(6);
    expect(res.created.map((c) => c.index)).toEqual([0, 5]);
    expect(res.rejected.map((r) => [r.index, r.code, r.message.split(':')[0]])).toEqual([
      [1, 'INVALID_COLUMN', 'column'],
      [2, 'INVALID_COVER', 'cover'],
      [3, 'INVALID_OPTION', 'statement'],
      [4, 'INVALID_OPTION', 'commentPermission'],
    ]);
    expect(res.rejected[0]?.message).toContain('"c_404" is not one of this account\'s columns: c_1001 (前端笔记), c_1002 (读书)');
    const [first, second] = await Promise.all(res.created.map((c) => user.api.task.byId.query({ id: c.taskId })));
    expect(first).toMatchObject({ title: '好 1', ...OPTIONS });
    expect(second).toMatchObject({ title: '好 2', column: 'c_1001', statement: 'ai_creation' });
    expect(second).not.toHaveProperty('cover');
    expect(await taskCount(accountId)).toBe(2);
  });
});
