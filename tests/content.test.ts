/**
 * What an article carries reaches Zhihu intact: every Markdown construct through the real editor
 * (paste into Draft.js, the editor's own cleaning, publish); every image re-hosted on the image
 * host before anything is published; and the Zhihu settings (topics, column, cover, creation
 * statement, comment permission) on the stored article, in both editor layouts.
 */
import { ERROR_CATALOG, type TaskEvent } from '@zpub/shared';
import { Types } from 'mongoose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { User } from './support/client';
import { PNG, md5, serveImages, type ImageServer } from './support/images';
import { LAYOUTS } from './support/sandbox';
import { bootStack, type TestStack } from './support/stack';

let stack: TestStack;
let images: ImageServer;

beforeAll(async () => {
  [stack, images] = await Promise.all([bootStack({ workers: 1 }), serveImages()]);
});

afterAll(async () => {
  await Promise.all([stack?.stop(), images?.close()]);
});

// Today's Zhihu unless a test says otherwise.
afterEach(async () => {
  await stack?.sandboxApi.config({ layout: 'today' });
});

const ended = (e: TaskEvent) => ['success', 'failed', 'unconfirmed'].includes(e.status);

/** Submits one article through the API and waits for its end; returns its events. */
async function run(user: User, input: Parameters<User['api']['task']['create']['mutate']>[0]): Promise<{ taskId: string; events: TaskEvent[] }> {
  const rec = user.record();
  await rec.started;
  const { taskId } = await user.api.task.create.mutate(input);
  await rec.until((es) => es.some((e) => e.taskId === taskId && ended(e)), 200_000, 'the task to end');
  rec.stop();
  return { taskId, events: rec.of(taskId) };
}

/** The hosted copy an <img src> names, checked byte for byte against what the article asked for. */
async function expectHosted(src: string, bytes: Buffer): Promise<void> {
  expect(src).toBe(`${stack.urls.sandbox}/v2-${md5(bytes)}.png`);
  const res = await fetch(src);
  expect(res.status).toBe(200);
  expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
}

const FIXTURE = [
  '## 二级标题',
  '',
  '### 三级标题',
  '',
  '一段 **粗体** 与 *斜体*，还有 [一个链接](https://example.com/docs?a=1&b=2)。',
  '',
  '- 无序一',
  '- 无序二',
  '  - 嵌套',
  '',
  '1. 有序一',
  '2. 有序二',
  '',
  '> 引用的一段话',
  '',
  '```python',
  'def f(x):',
  '    return x < 3 and "ok"',
  '```',
  '',
  '质能方程 $E=mc^2$ 在行内。',
  '',
  '$$',
  '\\int_0^1 x^2\\,dx = \\frac{1}{3}',
  '$$',
  '',
  '| 名称 | 数量 |',
  '|------|-----:|',
  '| 苹果 | 3 |',
  '| 梨 | 5 |',
  '',
  '![示意图](https://picx.zhimg.com/v2-abc_r.jpg)',
  '',
  '最后一段。',
].join('\n');

const equation = (tex: string) => `https://www.zhihu.com/equation?tex=${encodeURIComponent(tex)}`;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ampersands = (s: string) => s.replace(/&/g, '&amp;');

function expectEveryConstruct(html: string): void {
  expect(html).toContain('<h2>二级标题</h2>');
  expect(html).toContain('<h3>三级标题</h3>');
  expect(html).toContain('<strong>粗体</strong>');
  expect(html).toContain('<em>斜体</em>');
  expect(html).toContain(`<a href="${ampersands('https://example.com/docs?a=1&b=2')}">一个链接</a>`);
  expect(html).toMatch(/<ul>\s*<li>无序一<\/li>\s*<li>无序二\s*<ul>\s*<li>嵌套<\/li>\s*<\/ul>\s*<\/li>\s*<\/ul>/);
  expect(html).toMatch(/<ol>\s*<li>有序一<\/li>\s*<li>有序二<\/li>\s*<\/ol>/);
  expect(html).toMatch(/<blockquote>\s*<p>引用的一段话<\/p>\s*<\/blockquote>/);
  expect(html).toMatch(/<pre lang="python">def f\(x\):\n {4}return x &lt; 3 and (?:"ok"|&quot;ok&quot;)\n?<\/pre>/);
  // Inline formula inside its paragraph; block formula on its own, its TeX ending in \\.
  expect(html).toMatch(new RegExp(`<p>质能方程 <img [^>]*src="${escapeRe(equation('E=mc^2'))}"[^>]*> 在行内。</p>`));
  expect(html).toMatch(/<p>质能方程 <img [^>]*eeimg="1"/);
  expect(html).toMatch(new RegExp(`<p><img [^>]*src="${escapeRe(equation('\\int_0^1 x^2\\,dx = \\frac{1}{3}\\\\'))}"[^>]*eeimg="1"[^>]*></p>`));
  expect(html).toMatch(/<table>[\s\S]*<th>名称<\/th>[\s\S]*<th>数量<\/th>[\s\S]*<td>苹果<\/td>[\s\S]*<td>3<\/td>[\s\S]*<td>5<\/td>[\s\S]*<\/table>/);
  expect(html).toMatch(/<figure><img [^>]*src="https:\/\/picx\.zhimg\.com\/v2-abc_r\.jpg"[^>]*><figcaption>示意图<\/figcaption><\/figure>/);
  expect(html).not.toMatch(/<p>\s*<figure>/);
  expect(html).toContain('<p>最后一段。</p>');
}

describe('content', () => {
  it('round-trips every construct through the editor into the published article', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const title = `全部语法 ${Date.now()}`;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title, content: FIXTURE, topics: ['编程'] });
    await rec.until((es) => es.some((e: TaskEvent) => e.taskId === taskId && ['success', 'failed', 'unconfirmed'].includes(e.status)), 120_000, 'the task to end');
    rec.stop();
    const final = rec.of(taskId).at(-1);
    expect(final?.status).toBe('success');

    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(1);
    const stored = articles[0]?.html ?? '';
    expectEveryConstruct(stored);

    // The article page, as the account's session sees it, carries the same article.
    const page = await (await stack.sandboxApi.articlePage(final?.result?.url ?? '', account.name)).text();
    expect(page).toContain(title);
    expect(page).toContain('eeimg');
    expect(page).toContain('<figcaption>示意图</figcaption>');
  });
});

describe('images', () => {
  it('re-hosts a remote image and an uploaded one before anything else, and the article names the hosted copies', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const uploaded = await user.uploadImage(PNG.blue);
    const remote = `${images.url}/orange.png`;
    const content = [`![远程图](${remote})`, '', '中间一段。', '', `![本地图](${uploaded})`, '', '![已在知乎](https://picx.zhimg.com/v2-abc_r.jpg)'].join('\n');
    const { events } = await run(user, { accountId: account.id, title: `带图 ${Date.now()}`, content, topics: ['摄影'] });
    expect(events.at(-1)?.status).toBe('success');
    const stages = events.map((e) => e.stage);
    expect(stages.indexOf('images')).toBeGreaterThan(stages.indexOf('login'));
    expect(stages.indexOf('images')).toBeLessThan(stages.indexOf('editor'));
    expect(events.find((e) => e.stage === 'images')?.message).toMatch(/^2 images/);

    const [article] = await stack.sandboxApi.articles(account.name);
    const srcs = [...(article?.html ?? '').matchAll(/<img [^>]*src="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(srcs).toHaveLength(3);
    await expectHosted(srcs[0] ?? '', PNG.orange);
    await expectHosted(srcs[1] ?? '', PNG.blue);
    // An image already on Zhihu's image host is left alone.
    expect(srcs[2]).toBe('https://picx.zhimg.com/v2-abc_r.jpg');
    expect(article?.html).not.toContain(images.url);
    expect(article?.html).not.toContain('/assets/');
    expect(article?.html).toContain('<figcaption>本地图</figcaption>');
  });

  it('fails IMAGE_UPLOAD_FAILED before the editor is touched when uploads keep failing; nothing is published', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'image-upload-failed', author: account.name });
    const { taskId, events } = await run(user, { accountId: account.id, title: '图片传不上去', content: `![图](${images.url}/green.png)` });
    const final = events.at(-1);
    expect(final).toMatchObject({ status: 'failed', attempt: 3, error: { code: 'IMAGE_UPLOAD_FAILED', retryable: true } });
    expect(final?.error?.message).toContain(ERROR_CATALOG.IMAGE_UPLOAD_FAILED.hint);
    expect(events.filter((e) => e.stage === 'retrying').map((e) => e.error?.code)).toEqual(['IMAGE_UPLOAD_FAILED', 'IMAGE_UPLOAD_FAILED']);
    // Never past the images: no editor filled, no click.
    for (const stage of ['images', 'editor', 'submitted']) expect(events.map((e) => e.stage)).not.toContain(stage);
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
    expect((await user.api.task.byId.query({ id: taskId })).evidence?.screenshot).toBe(true);
  });

  it('retries an upload that failed once and publishes, once', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await stack.sandboxApi.fault({ kind: 'image-upload-failed', times: 1, author: account.name });
    const { events } = await run(user, { accountId: account.id, title: '第二次传上去了', content: `![图](${images.url}/green.png)` });
    expect(events.find((e) => e.stage === 'retrying')?.error).toMatchObject({ code: 'IMAGE_UPLOAD_FAILED', retryable: true });
    expect(events.at(-1)).toMatchObject({ status: 'success', attempt: 2 });
    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(1);
    await expectHosted(/<img [^>]*src="([^"]+)"/.exec(articles[0]?.html ?? '')?.[1] ?? '', PNG.green);
  });
});

describe('Zhihu settings', () => {
  it.each(LAYOUTS)('puts topics, column, cover, creation statement and comment permission on the stored article (%s editor)', async (layout) => {
    await stack.sandboxApi.config({ layout });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    // The login check reads the account's columns from Zhihu and keeps them on the account.
    await user.api.account.verify.mutate({ id: account.id });
    const db = await stack.db();
    const stored = await db.collection('accounts').findOne({ _id: new Types.ObjectId(account.id) });
    const columns = (stored?.columns ?? []) as { id: string; title: string }[];
    expect(columns.map((c) => c.title)).toEqual([`${account.name} 的专栏`, `${account.name} 的读书笔记`]);
    const column = columns[1];
    const cover = await user.uploadImage(PNG.green);

    const title = `全部设置 ${layout} ${Date.now()}`;
    const { taskId, events } = await run(user, {
      accountId: account.id,
      title,
      content: '正文。',
      topics: ['编程', '写作', '量子纠缠'],
      column: column?.id,
      cover,
      statement: 'ai_creation',
      commentPermission: 'nobody',
    });
    expect(events.at(-1)?.status).toBe('success');
    expect(events.find((e) => e.stage === 'images')?.message).toMatch(/^1 image /);
    const [article] = await stack.sandboxApi.articles(account.name);
    expect(article).toMatchObject({ title, topics: ['编程', '写作', '量子纠缠'], column, statement: 'ai_creation', commentPermission: 'nobody' });
    await expectHosted(article?.cover ?? '', PNG.green);
    // What the worker read them from: the task as the server saved it.
    const task = await db.collection('tasks').findOne({ _id: new Types.ObjectId(taskId) });
    expect(task).toMatchObject({ column: column?.id, cover, statement: 'ai_creation', commentPermission: 'nobody' });
  });

  it('fails, without publishing or retrying, when the column is not one of the account’s', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const { events } = await run(user, { accountId: account.id, title: '别人的专栏', content: '正文。', topics: ['编程'], column: 'c_1000000000000000001' });
    const final = events.at(-1);
    expect(final).toMatchObject({ status: 'failed', attempt: 1, error: { code: 'PUBLISH_REJECTED', retryable: false } });
    expect(final?.error?.message).toContain('c_1000000000000000001');
    expect(events.map((e) => e.stage)).not.toContain('submitted');
    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
  });
});

describe('update in place', () => {
  it.each(LAYOUTS)('edits the published article: new title, body with a re-hosted image, topics and settings; every version kept, one article (%s editor)', async (layout) => {
    await stack.sandboxApi.config({ layout });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    await user.api.account.verify.mutate({ id: account.id });
    const stored = await (await stack.db()).collection('accounts').findOne({ _id: new Types.ObjectId(account.id) });
    const column = ((stored?.columns ?? []) as { id: string; title: string }[])[0];
    const firstTitle = `第一版 ${layout} ${Date.now()}`;
    const first = await run(user, { accountId: account.id, title: firstTitle, content: '旧的正文。', topics: ['编程', '写作'], column: column?.id, statement: 'spoiler' });
    const articleId = first.events.at(-1)?.result?.articleId ?? '';
    expect(first.events.at(-1)).toMatchObject({ status: 'success', stage: 'verified' });

    const title = `第二版 ${layout} ${Date.now()}`;
    const { taskId, events } = await run(user, {
      accountId: account.id,
      title,
      content: `新的正文。\n\n![新图](${images.url}/orange.png)`,
      topics: ['写作', '量子纠缠'],
      commentPermission: 'nobody',
      articleId,
    });
    const url = `${stack.urls.sandbox}/p/${articleId}`;
    expect(events.at(-1)).toMatchObject({ status: 'success', stage: 'updated', attempt: 1, result: { url, articleId } });
    expect(events.at(-1)?.message).toMatch(/shows the new title and body/);
    const stages = events.map((e) => e.stage);
    for (const stage of ['images', 'editor', 'submitted']) expect(stages).toContain(stage);
    expect(events.find((e) => e.stage === 'submitted')?.message).toContain(`update of article ${articleId}`);

    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(1);
    const [article] = articles;
    // The column and statement were not named by the update: the article keeps its own.
    expect(article).toMatchObject({ id: articleId, title, topics: ['写作', '量子纠缠'], column, statement: 'spoiler', commentPermission: 'nobody' });
    expect(article?.html).toContain('新的正文。');
    expect(article?.html).not.toContain('旧的正文');
    await expectHosted(/<img [^>]*src="([^"]+)"/.exec(article?.html ?? '')?.[1] ?? '', PNG.orange);
    expect(article?.versions.map((v) => v.title)).toEqual([firstTitle, title]);
    expect(article?.versions[0]?.html).toContain('旧的正文。');
    expect(article?.publishedAt).toBe(article?.versions[0]?.publishedAt);
    expect(article?.updatedAt).toBe(article?.versions[1]?.publishedAt);
    // The article page, as the account's session sees it, shows the new version.
    const page = await (await stack.sandboxApi.articlePage(url, account.name)).text();
    expect(page).toContain(title);
    expect(page).not.toContain('旧的正文');
    expect(await user.api.task.byId.query({ id: taskId })).toMatchObject({ articleId, mode: 'publish', result: { url, articleId } });
  });
});

describe('draft only', () => {
  it.each(LAYOUTS)('saves a new article to the drafts with its images, never publishes it, and ends with the draft’s address (%s editor)', async (layout) => {
    await stack.sandboxApi.config({ layout });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const title = `只存草稿 ${layout} ${Date.now()}`;
    const { taskId, events } = await run(user, { accountId: account.id, title, content: `草稿的正文。\n\n![图](${images.url}/blue.png)`, topics: ['编程'], mode: 'draft' });
    const final = events.at(-1);
    const id = final?.result?.articleId ?? '';
    expect(id).toMatch(/^\d{15,20}$/);
    expect(final).toMatchObject({ status: 'success', stage: 'drafted', progress: 100, attempt: 1, result: { url: `${stack.urls.sandbox}/p/${id}/edit`, articleId: id } });
    expect(final?.message).toMatch(/^saved to Zhihu's drafts, not published/);
    // Never clicked: no irreversible point, no article page.
    for (const stage of ['submitted', 'redirected', 'verified']) expect(events.map((e) => e.stage)).not.toContain(stage);

    expect(await stack.sandboxApi.articles(account.name)).toEqual([]);
    const [draft, ...more] = await stack.sandboxApi.drafts(account.name);
    expect(more).toEqual([]);
    // Today's page saves topics on the draft; the legacy one only sends them with 确认发布.
    expect(draft).toMatchObject({ id, title, state: 'draft', published: false, topics: layout === 'today' ? ['编程'] : [] });
    expect(draft?.html).toContain('草稿的正文。');
    await expectHosted(/<img [^>]*src="([^"]+)"/.exec(draft?.html ?? '')?.[1] ?? '', PNG.blue);
    // A reader (even the author, past the anti-crawler check) finds no article there.
    const page = await stack.sandboxApi.articlePage(`${stack.urls.sandbox}/p/${id}`, account.name);
    expect(page.status).toBe(404);
    expect(await page.text()).not.toContain(title);
    expect(await user.api.task.byId.query({ id: taskId })).toMatchObject({ mode: 'draft', status: 'success' });
  });

  it('saves a draft of a published article and leaves what readers see as it was', async () => {
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const firstTitle = `公开的版本 ${Date.now()}`;
    const first = await run(user, { accountId: account.id, title: firstTitle, content: '公开的正文。', topics: ['编程'] });
    const articleId = first.events.at(-1)?.result?.articleId ?? '';
    const title = `草稿里的新版本 ${Date.now()}`;
    const { events } = await run(user, { accountId: account.id, title, content: '还没发布的正文。', articleId, mode: 'draft' });
    expect(events.at(-1)).toMatchObject({ status: 'success', stage: 'drafted', result: { url: `${stack.urls.sandbox}/p/${articleId}/edit`, articleId } });

    const [article, ...others] = await stack.sandboxApi.articles(account.name);
    expect(others).toEqual([]);
    expect(article).toMatchObject({ id: articleId, title: firstTitle });
    expect(article?.versions).toHaveLength(1);
    expect(await stack.sandboxApi.drafts(account.name)).toEqual([expect.objectContaining({ id: articleId, title, published: true, topics: ['编程'] })]);
    const page = await (await stack.sandboxApi.articlePage(`${stack.urls.sandbox}/p/${articleId}`, account.name)).text();
    expect(page).toContain(firstTitle);
    expect(page).not.toContain('还没发布的正文');
  });
});
