/**
 * The whole path: an article submitted through the API is published by a real Chromium into the
 * sandbox (today's one-click editor, and the legacy dialog), proven live from inside the account's
 * session, and every step reaches the subscriber in order.
 */
import type { TaskEvent } from '@zpub/shared';
import { Types } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from './support/client';
import { LAYOUTS, waitFor } from './support/sandbox';
import { bootStack, type TestStack } from './support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await bootStack({ workers: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

// Today's Zhihu unless a test says otherwise.
afterEach(async () => {
  await stack?.sandboxApi.config({ layout: 'today' });
});

const terminal = (e: TaskEvent) => ['success', 'failed', 'cancelled', 'unconfirmed'].includes(e.status);

describe('publishing one article', () => {
  it.each(LAYOUTS)('streams queued -> running -> success with progress rising to 100, and the sandbox holds exactly that article (%s editor)', async (layout) => {
    await stack.sandboxApi.config({ layout });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const title = `端到端 ${Date.now()}`;
    const { taskId, status } = await user.api.task.create.mutate({
      accountId: account.id,
      title,
      content: '第一段，带 **粗体**。\n\n- 列表项\n\n```ts\nconst x = 1;\n```',
      topics: ['编程'],
    });
    expect(status).toBe('pending');
    await rec.until((es) => es.some((e) => e.taskId === taskId && terminal(e)), 90_000, 'the task to end');
    rec.stop();

    const events = rec.of(taskId);
    const statuses = events.map((e) => e.status).filter((s, i, all) => s !== all[i - 1]);
    expect(statuses).toEqual(['pending', 'queued', 'running', 'success']);
    expect(events.map((e) => e.stage)).toEqual(['created', 'queued', 'browser', 'login', 'editor', 'submitted', 'redirected', 'verified']);
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(100);
    // Ids sort in the order the events happened; versions grow by one.
    expect(events.map((e) => e.id)).toEqual(events.map((e) => e.id).sort());
    expect(events.map((e) => e.v)).toEqual(events.map((_, i) => i));

    const last = events.at(-1);
    const url = last?.result?.url ?? '';
    expect(url).toMatch(new RegExp(`^${stack.urls.sandbox}/p/\\d{15,20}$`));

    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(1);
    expect(articles[0]?.title).toBe(title);
    expect(articles[0]?.html).toContain('<strong>粗体</strong>');
    expect(articles[0]?.html).toContain('<pre lang="ts">');
    expect(articles[0]?.topics).toEqual(['编程']);
    expect(url.endsWith(`/p/${articles[0]?.id}`)).toBe(true);

    // The durable record in MongoDB follows (the projector writes it in stream order).
    const db = await stack.db();
    const doc = await waitFor(async () => {
      const d = await db.collection('tasks').findOne({ _id: new Types.ObjectId(taskId) });
      return d?.status === 'success' ? d : null;
    }, 'the task in MongoDB to say success');
    expect(doc.result).toEqual({ url, articleId: articles[0]?.id });

    // The proof came from inside the account's session: a cookieless fetch meets Zhihu's
    // anti-crawler check and could never have proven anything.
    expect(last?.message).toContain("opened in the account's session");
    const cookieless = await fetch(url);
    expect(cookieless.status).toBe(403);
    const blocked = await cookieless.text();
    expect(blocked).not.toContain('js-initialData');
    expect(blocked).not.toContain(title);
    // The account's own session sees the article published.
    const page = await stack.sandboxApi.articlePage(url, account.name);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(title);
    expect(html).toContain(`"${articles[0]?.id}":{"id":${articles[0]?.id},`);
    expect(html).toContain('"state":"published"');

    const detail = await user.api.task.byId.query({ id: taskId });
    expect(detail.status).toBe('success');
    expect(detail.events.map((e) => e.stage)).toEqual(events.map((e) => e.stage));
  });

  it('runs four tasks at once in the four slots', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const ids = await Promise.all(
      [1, 2, 3, 4].map(async (i) => (await user.api.task.create.mutate({ accountId: account.id, title: `并行 ${i}`, content: `正文 ${i}` })).taskId),
    );
    await rec.until((es) => ids.every((id) => es.some((e) => e.taskId === id && terminal(e))), 120_000, 'four tasks to end');
    rec.stop();
    const spans = ids.map((id) => {
      const es = rec.of(id);
      const start = Date.parse(es.find((e) => e.stage === 'browser')?.at ?? '');
      const end = Date.parse(es.find(terminal)?.at ?? '');
      expect(es.at(-1)?.status).toBe('success');
      return { start, end };
    });
    // Every task started before any of them finished: the four ran side by side.
    expect(Math.max(...spans.map((s) => s.start))).toBeLessThan(Math.min(...spans.map((s) => s.end)));
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(4);
  });

  it('gives a subscriber that reconnects with lastEventId every missed event exactly once', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const control = user.record();
    const first = user.record();
    await Promise.all([control.started, first.started]);
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '断线重连', content: '内容' });
    await first.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'login'), 60_000, 'the login stage');
    first.stop();
    const resumedFrom = first.lastId;
    expect(resumedFrom).toBeTruthy();
    // Events keep coming while nobody listens on the first connection.
    await control.until((es) => es.some((e) => e.taskId === taskId && e.stage === 'submitted'), 60_000, 'the submitted stage');
    const second = user.record(resumedFrom);
    await control.until((es) => es.some((e) => e.taskId === taskId && terminal(e)), 60_000, 'the end');
    await second.until((es) => es.some((e) => e.taskId === taskId && terminal(e)), 30_000, 'the resumed stream to reach the end');
    second.stop();
    control.stop();
    const seen = [...first.of(taskId), ...second.of(taskId)].map((e) => e.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(control.of(taskId).map((e) => e.id));
  });

  it('refuses bad input with a clear error and saves nothing', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const db = await stack.db();
    const before = await db.collection('tasks').countDocuments();

    const empty = await expectRefusal(user.api.task.create.mutate({ accountId: account.id, title: '  ', content: 'x' }));
    expect(empty).toMatchObject({ code: 'BAD_REQUEST', status: 400 });
    expect(empty.message).toContain('title: Title is empty');

    const long = await expectRefusal(user.api.task.create.mutate({ accountId: account.id, title: '长'.repeat(101), content: 'x' }));
    expect(long.code).toBe('BAD_REQUEST');
    expect(long.message).toContain('at most 100 characters');

    const unknown = await expectRefusal(user.api.task.create.mutate({ accountId: '0123456789abcdef01234567', title: 't', content: 'x' }));
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', message: 'No such account' });

    const anonymous = new User(stack.urls.app);
    const noSession = await expectRefusal(anonymous.api.task.create.mutate({ accountId: account.id, title: 't', content: 'x' }));
    expect(noSession).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });

    const accountsBefore = (await user.api.account.list.query()).length;
    const cookies = await expectRefusal(user.api.account.create.mutate({ platform: 'zhihu', name: 'x', cookies: 'this is not a cookie' }));
    expect(cookies.code).toBe('BAD_REQUEST');
    expect(cookies.message).toMatch(/Cookie 1|no z_c0/);
    const noLogin = await expectRefusal(user.api.account.create.mutate({ platform: 'zhihu', name: 'x', cookies: '_xsrf=abc; d_c0=1' }));
    expect(noLogin.message).toContain('no z_c0');

    expect(await db.collection('tasks').countDocuments()).toBe(before);
    expect((await user.api.account.list.query()).length).toBe(accountsBefore);
  });
});
