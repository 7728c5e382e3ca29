/**
 * Platform accounts as a person manages them: added from a `Cookie:` header or a JSON export,
 * checked through a worker's browser, shown with their state, never giving their cookies back,
 * and kept encrypted in MongoDB. A known logged-out account fails its tasks without a browser.
 */
import type { TaskEvent } from '@zpub/shared';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from './support/client';
import { bootStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

const isEnd = (e: TaskEvent) => ['success', 'failed', 'cancelled', 'unconfirmed'].includes(e.status);
const uniqueName = () => `acc${Math.random().toString(36).slice(2, 9)}`;

async function rawAccount(id: string): Promise<Record<string, unknown>> {
  const db = await stack.db();
  const doc = await db.collection('accounts').findOne({ _id: new Types.ObjectId(id) });
  if (!doc) throw new Error(`account ${id} is not in MongoDB`);
  return doc;
}

async function publishOne(user: User, accountId: string): Promise<TaskEvent[]> {
  const rec = user.record();
  await rec.started;
  const { taskId } = await user.api.task.create.mutate({ accountId, title: `账号 ${Date.now()}`, content: '正文' });
  await rec.until((es) => es.some((e) => e.taskId === taskId && isEnd(e)), 120_000, 'the task to end');
  rec.stop();
  return rec.of(taskId);
}

describe('adding an account', () => {
  it('takes a Cookie: header, keeps it encrypted, and never returns it', async () => {
    const user = await User.register(stack.urls.app);
    const name = uniqueName();
    const login = `sandbox-${name}`;
    const secretXsrf = `xsrf${Math.random().toString(36).slice(2)}`;
    const created = await user.api.account.create.mutate({ platform: 'sandbox', name: '主号', cookies: `Cookie: _xsrf=${secretXsrf}; z_c0=${login}; d_c0=abc` });
    expect(created).toMatchObject({ platform: 'sandbox', name: '主号', state: 'unverified' });
    const listed = await user.api.account.list.query();
    for (const shown of [created, listed]) {
      const json = JSON.stringify(shown);
      expect(json).not.toContain(login);
      expect(json).not.toContain(secretXsrf);
      expect(json).not.toMatch(/cookie/i);
    }
    expect(listed.map((a) => a.id)).toEqual([created.id]);

    const raw = await rawAccount(created.id);
    const rawJson = JSON.stringify(raw);
    expect(rawJson).not.toContain(login);
    expect(rawJson).not.toContain(secretXsrf);
    expect(typeof raw.cookiesSealed).toBe('string');
    expect(String(raw.cookiesSealed).length).toBeGreaterThan(40);

    // The sealed cookies still log in: the worker can open them.
    const verified = await user.api.account.verify.mutate({ id: created.id });
    expect(verified).toMatchObject({ id: created.id, state: 'active', zhihuName: name, urlToken: name });
    expect(JSON.stringify(verified)).not.toContain(login);
  });

  it('takes a JSON cookie export, and verify records the Zhihu name and url_token', async () => {
    const user = await User.register(stack.urls.app);
    const name = uniqueName();
    const exported = JSON.stringify([
      { domain: '.zhihu.com', name: 'z_c0', value: `sandbox-${name}`, path: '/', httpOnly: true, secure: true, expirationDate: 1900000000 },
      { domain: '.zhihu.com', name: 'd_c0', value: 'AbCd', path: '/', httpOnly: false, secure: false },
    ]);
    const created = await user.api.account.create.mutate({ platform: 'sandbox', name: '导出', cookies: exported });
    expect(created.state).toBe('unverified');
    expect(created.zhihuName).toBeUndefined();

    const verified = await user.api.account.verify.mutate({ id: created.id });
    expect(verified.state).toBe('active');
    expect(verified.zhihuName).toBe(name);
    expect(verified.urlToken).toBe(name);
    expect(Date.parse(verified.verifiedAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
    const [listed] = await user.api.account.list.query();
    expect(listed).toMatchObject({ id: created.id, state: 'active', zhihuName: name, urlToken: name });
    expect(JSON.stringify(await rawAccount(created.id))).not.toContain(`sandbox-${name}`);
  });
});

describe('an account whose login is gone', () => {
  it('is marked expired by verify; its tasks fail at once without a browser until fresh cookies are pasted', async () => {
    const user = await User.register(stack.urls.app);
    const name = uniqueName();
    // A z_c0 the site does not accept: what an expired login looks like.
    const account = await user.api.account.create.mutate({ platform: 'sandbox', name: '过期', cookies: `z_c0=expired-${name}` });
    const checked = await user.api.account.verify.mutate({ id: account.id });
    expect(checked.state).toBe('expired');
    expect(checked.zhihuName).toBeUndefined();
    expect((await user.api.account.list.query())[0]?.state).toBe('expired');

    const events = await publishOne(user, account.id);
    const final = events.find(isEnd);
    expect(final?.status).toBe('failed');
    expect(final?.error).toMatchObject({ code: 'LOGIN_EXPIRED', retryable: false });
    expect(final?.error?.message).toMatch(/Paste fresh cookies/);
    expect(events.some((e) => e.stage === 'browser')).toBe(false);
    expect(await stack.sandboxApi.articles(name)).toHaveLength(0);

    const updated = await user.api.account.updateCookies.mutate({ id: account.id, cookies: `z_c0=sandbox-${name}` });
    expect(updated.state).toBe('unverified');
    const again = await user.api.account.verify.mutate({ id: account.id });
    expect(again).toMatchObject({ state: 'active', urlToken: name });
    expect(JSON.stringify(await rawAccount(account.id))).not.toContain(`sandbox-${name}`);

    const retried = await publishOne(user, account.id);
    expect(retried.find(isEnd)?.status).toBe('success');
    expect(await stack.sandboxApi.articles(name)).toHaveLength(1);
  });

  it('is marked expired when a task meets the sign-in wall, and the next task fails fast', async () => {
    const user = await User.register(stack.urls.app);
    const name = uniqueName();
    const account = await user.api.account.create.mutate({ platform: 'sandbox', name: '中途过期', cookies: `z_c0=sandbox-${name}` });
    await stack.sandboxApi.fault({ kind: 'login-expired', times: 1, author: name });
    const first = await publishOne(user, account.id);
    expect(first.find(isEnd)?.error?.code).toBe('LOGIN_EXPIRED');
    expect((await user.api.account.list.query())[0]?.state).toBe('expired');
    const second = await publishOne(user, account.id);
    expect(second.find(isEnd)?.error?.code).toBe('LOGIN_EXPIRED');
    expect(second.map((e) => e.stage)).toEqual(['created', 'failed']);
  });
});

describe('someone else', () => {
  it('can neither see, check nor change the account', async () => {
    const owner = await User.register(stack.urls.app);
    const other = await User.register(stack.urls.app);
    const account = await owner.api.account.create.mutate({ platform: 'sandbox', name: '私有', cookies: `z_c0=sandbox-${uniqueName()}` });
    expect(await other.api.account.list.query()).toEqual([]);
    expect(await expectRefusal(other.api.account.verify.mutate({ id: account.id }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await expectRefusal(other.api.account.updateCookies.mutate({ id: account.id, cookies: 'z_c0=sandbox-intruder' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await owner.api.account.list.query())[0]?.state).toBe('unverified');
    const bad = await expectRefusal(owner.api.account.updateCookies.mutate({ id: account.id, cookies: 'd_c0=1' }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toContain('no z_c0');
  });
});
