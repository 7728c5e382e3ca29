import puppeteer from 'puppeteer-core';
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './app.js';
import { sanitizeHtml } from './sanitize.js';
import { columnsOf } from './settings.js';
import { challengeToken, client, initialData, publishToday, startSandbox } from './testing.js';

// Drives the editor the way the worker's zhihu adapter does: cookie for the origin, native title
// setter + input event, select-all + synthetic paste, then the layout's flow: legacy (发布, topics
// in the dialog, 确认发布) or today (settings on the page, one click on 发布); proof on /p/<id>.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const PASTED = [
  '<meta charset="utf-8"><!--StartFragment-->',
  '<h2 style="color:red" class="x">小标题</h2>',
  '<p>第一段 <strong>加粗</strong> <a href="https://example.com/a?b=1&amp;c=2" onclick="evil()">链接</a> <a href="javascript:alert(1)">坏链接</a></p>',
  '<script>window.__pwned = true</script>',
  '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>',
  '<img src="https://example.com/a.png" alt="图" onerror="window.__pwned = true">',
  '<div>块</div>',
  '<!--EndFragment-->',
].join('');
const CLEANED =
  '<h2>小标题</h2>' +
  '<p>第一段 <strong>加粗</strong> <a href="https://example.com/a?b=1&amp;c=2">链接</a> 坏链接</p>' +
  '<pre lang="ts">const a = 1 &lt; 2;</pre>' +
  '<p><img src="https://example.com/a.png" alt="图"></p>' +
  '<p>块</p>';

const TITLE_SELECTOR = 'textarea[placeholder^="请输入标题"]';
const BODY_SELECTOR = '.public-DraftEditor-content[contenteditable="true"]';

let browser: Browser;
let sandbox: Sandbox;
let context: BrowserContext;

beforeAll(async () => {
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => {
  await browser.close();
});
beforeEach(async () => {
  sandbox = await startSandbox({ delayMs: 100 });
  context = await browser.createBrowserContext();
});
afterEach(async () => {
  await context.close();
  await sandbox.close();
});

async function loggedInPage(account = 'alice'): Promise<Page> {
  await context.setCookie({ name: 'z_c0', value: `sandbox-${account}`, domain: '127.0.0.1', path: '/' });
  return context.newPage();
}

async function setTitle(page: Page, title: string): Promise<void> {
  await page.$eval(
    TITLE_SELECTOR,
    (el, value) => {
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
      if (!setter) throw new Error('no native value setter');
      setter.call(el, value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    title,
  );
}

async function pasteHtml(page: Page, html: string, selector = BODY_SELECTOR): Promise<void> {
  await page.$eval(
    selector,
    (el, value) => {
      (el as HTMLElement).focus();
      document.execCommand('selectAll');
      const data = new DataTransfer();
      data.setData('text/html', value);
      data.setData('text/plain', 'plain fallback');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    html,
  );
}

async function clickButton(page: Page, text: string): Promise<void> {
  const button = await page.waitForSelector(`::-p-xpath(//button[normalize-space()="${text}"])`, { visible: true });
  if (!button) throw new Error(`no button ${text}`);
  await button.click();
}

async function addTopic(page: Page, search: string, name: string): Promise<void> {
  await clickButton(page, '添加话题');
  const input = await page.waitForSelector('input[placeholder="搜索话题"]', { visible: true });
  if (!input) throw new Error('no topic search');
  await input.type(search);
  // Each keystroke asks for suggestions again, and an answer that arrives late redraws the list:
  // an option found a moment ago can be gone when it is clicked, so look again then.
  for (let attempt = 1; ; attempt++) {
    const option = await page.waitForSelector(`::-p-xpath(//*[@role="listbox"]//button[@role="option"][normalize-space()="${name}"])`, {
      visible: true,
    });
    if (!option) throw new Error(`no option ${name}`);
    try {
      await option.click();
      break;
    } catch (err) {
      if (attempt >= 5 || !/detached|not attached/i.test((err as Error).message)) throw err;
    }
  }
  await page.waitForSelector(`.PublishPanel-topicTag::-p-text(${name})`);
}

async function toastText(page: Page): Promise<string> {
  const toast = await page.waitForSelector('.Notification--error[role="alert"] .Notification-text', { visible: true });
  return (await toast?.evaluate((el) => el.textContent)) ?? '';
}

async function articles(): Promise<Array<{ id: string; title: string; html: string; topics: string[] }>> {
  return (await client(sandbox.url)('GET', '/__sandbox/articles')).json as Array<{ id: string; title: string; html: string; topics: string[] }>;
}

const legacyLayout = () => client(sandbox.url)('POST', '/__sandbox/config', { layout: 'legacy' });

describe('publishing through the legacy dialog', () => {
  beforeEach(legacyLayout);

  it('publishes a pasted article with two topics and proves it on the article page', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    expect(await page.title()).toBe('写文章 - 知乎');

    await setTitle(page, '沙盒里的第一篇文章');
    await page.waitForSelector(BODY_SELECTOR);
    await pasteHtml(page, PASTED);
    // The first change creates a draft and moves the address to its edit URL.
    await page.waitForFunction(() => /^\/p\/\d{19}\/edit$/.test(location.pathname));
    expect(await page.$eval(BODY_SELECTOR, (el) => el.innerHTML)).toBe(CLEANED);

    await clickButton(page, '发布');
    await page.waitForSelector('[role="dialog"][aria-label="发布设置"]', { visible: true });
    await addTopic(page, 'Java', 'JavaScript');
    await addTopic(page, '写', '写作');
    await clickButton(page, '确认发布');

    await page.waitForFunction(() => /^\/p\/\d{15,20}$/.test(location.pathname), { timeout: 15_000 });
    const id = new URL(page.url()).pathname.split('/')[2] ?? '';
    expect(await page.title()).toBe('沙盒里的第一篇文章 - 知乎');

    const data = (await page.$eval('script#js-initialData', (el) => JSON.parse(el.textContent ?? '') as unknown)) as {
      initialState: { entities: { articles: Record<string, { state: string; title: string; content: string; topics: Array<{ name: string }> }> } };
    };
    const article = data.initialState.entities.articles[id];
    expect(article?.state).toBe('published');
    expect(article?.title).toBe('沙盒里的第一篇文章');
    expect(article?.content).toBe(CLEANED);
    expect(article?.topics.map((t) => t.name)).toEqual(['JavaScript', '写作']);
    expect(await page.evaluate(() => (window as { __pwned?: boolean }).__pwned)).toBeUndefined();

    const stored = await articles();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id, title: '沙盒里的第一篇文章', html: CLEANED, topics: ['JavaScript', '写作'] });

    // A client that passed the anti-crawler check reads the same data; one without cookies reads nothing.
    const reader = await client(sandbox.url, undefined, { zse: await challengeToken(sandbox.url) })('GET', `/p/${id}`);
    expect(initialData(reader.text)).toEqual(data);
    const cookieless = await fetch(`${sandbox.url}/p/${id}`);
    expect(cookieless.status).toBe(403);
    expect(initialData(await cookieless.text())).toBeUndefined();
  });

  it('loses a title set through .value without an input event, as a React-controlled field does', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    await page.$eval(TITLE_SELECTOR, (el) => {
      (el as HTMLTextAreaElement).value = '直接写入的标题';
    });
    await pasteHtml(page, '<p>正文</p>');
    expect(await page.$eval(TITLE_SELECTOR, (el) => (el as HTMLTextAreaElement).value)).toBe('');

    await clickButton(page, '发布');
    await clickButton(page, '确认发布');
    expect(await toastText(page)).toBe('请输入标题');
    expect(await articles()).toEqual([]);
    expect(new URL(page.url()).pathname).toMatch(/^\/p\/\d{19}\/edit$/);
  });

  it('keeps body edits made without an event out of the saved draft', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    await setTitle(page, '标题');
    await pasteHtml(page, '<p>粘贴的正文</p>');
    await page.$eval(BODY_SELECTOR, (el) => {
      el.innerHTML = '<p>偷偷改掉的正文</p>';
    });
    await clickButton(page, '发布');
    await addTopic(page, '编程', '编程');
    await clickButton(page, '确认发布');
    await page.waitForFunction(() => /^\/p\/\d+$/.test(location.pathname), { timeout: 15_000 });
    expect((await articles())[0]?.html).toBe('<p>粘贴的正文</p>');
  });

  it('appends a paste when the body is not all selected, and lets a person type', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    await pasteHtml(page, '<p>一</p>');
    await page.$eval(BODY_SELECTOR, (el) => {
      const data = new DataTransfer();
      data.setData('text/plain', '二\n\n三 <b>不是标签</b>');
      window.getSelection()?.removeAllRanges();
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    expect(await page.$eval(BODY_SELECTOR, (el) => el.innerHTML)).toBe('<p>一</p><p>二</p><p>三 &lt;b&gt;不是标签&lt;/b&gt;</p>');

    await page.click(TITLE_SELECTOR);
    await page.keyboard.type('键盘输入的标题');
    await page.focus(BODY_SELECTOR);
    await page.keyboard.down('Control');
    await page.keyboard.press('End');
    await page.keyboard.up('Control');
    await page.keyboard.type('四');
    await clickButton(page, '发布');
    await addTopic(page, '生活', '生活');
    await clickButton(page, '确认发布');
    await page.waitForFunction(() => /^\/p\/\d+$/.test(location.pathname), { timeout: 15_000 });
    const [article] = await articles();
    expect(article?.title).toBe('键盘输入的标题');
    expect(article?.html).toBe('<p>一</p><p>二</p><p>三 &lt;b&gt;不是标签&lt;/b&gt;四</p>');
  });

  it('allows at most three topics and offers a topic named like any search', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    await clickButton(page, '发布');
    await addTopic(page, 'Python', 'Python');
    await addTopic(page, '历史', '历史');
    await addTopic(page, '沙盒测试专用话题', '沙盒测试专用话题');
    expect(await page.$$eval('.PublishPanel-topicTag', (tags) => tags.map((t) => t.getAttribute('data-topic-id')?.length))).toEqual([8, 8, 11]);
    expect(await page.$eval('::-p-xpath(//button[normalize-space()="添加话题"])', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    expect(await page.$('input[placeholder="搜索话题"]')).toBeNull();

    await page.click('.PublishPanel-topicTag[data-topic-id] button[aria-label="移除话题"]');
    expect(await page.$$eval('.PublishPanel-topicTag', (tags) => tags.map((t) => t.textContent?.replace('×', '')))).toEqual([
      '历史',
      '沙盒测试专用话题',
    ]);
    expect(await page.$eval('::-p-xpath(//button[normalize-space()="添加话题"])', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
  });

  it('replaces the body when everything was selected with the keyboard', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    await pasteHtml(page, '<p>旧的</p><p>内容</p>');
    await page.click(BODY_SELECTOR);
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.$eval(BODY_SELECTOR, (el) => {
      const data = new DataTransfer();
      data.setData('text/html', '<p>新的</p>');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    expect(await page.$eval(BODY_SELECTOR, (el) => el.innerHTML)).toBe('<p>新的</p>');
  });

  it('cleans pasted HTML in the page exactly as the server does', async () => {
    const inputs = [
      '<html><body><!--StartFragment--><p style="x">Word 里<span lang="en">复制</span>的<o:p></o:p></p><!--EndFragment--></body></html>',
      '<div>第一行</div><div>第二行<br></div><section><h5>小标题</h5></section>',
      '<p>a &amp; b &lt; c&nbsp;d</p><p><img src="//www.zhihu.com/equation?tex=E%3Dmc%5E2" alt="E=mc^2" eeimg="1"></p>',
      '<table><tr><td>x<td>y</table><ul><li><a href="https://example.com/?q=&quot;x&quot;">q</a><li><a href="mailto:a@b">mail</a></ul>',
      '<pre><code class="hljs language-python"><span>def</span> f():<br>    return 1 &lt; 2</code></pre>',
      '<img src="https://a.example/x.png" alt=\'say "hi" <now>\' onload="x()"><svg><script>x()</script></svg>',
      '纯文本<b>粗</b>',
    ];
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    for (const input of inputs) {
      await pasteHtml(page, input);
      const shown = await page.$eval(BODY_SELECTOR, (el) => el.innerHTML);
      expect(shown, input).not.toMatch(/<(script|svg|span|div|o:p)|\son\w+=|style=|mailto/);
      expect(sanitizeHtml(shown), input).toBe(shown);
    }
  });

  it('reopens a saved draft at /p/<id>/edit', async () => {
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    await setTitle(page, '未完成的草稿');
    await pasteHtml(page, '<p>写了一半</p>');
    await page.waitForFunction(() => document.querySelector('.PublishPanel-status')?.textContent === '草稿已保存');
    const editUrl = page.url();
    expect(editUrl).toMatch(/\/p\/\d{19}\/edit$/);

    const again = await context.newPage();
    await again.goto(editUrl);
    expect(await again.$eval(TITLE_SELECTOR, (el) => (el as HTMLTextAreaElement).value)).toBe('未完成的草稿');
    expect(await again.$eval(BODY_SELECTOR, (el) => el.innerHTML)).toBe('<p>写了一半</p>');
  });
});

describe('faults as the legacy editor shows them', () => {
  beforeEach(legacyLayout);
  const faults = (body: Record<string, unknown>) => client(sandbox.url)('POST', '/__sandbox/faults', body);

  async function readyToConfirm(page: Page): Promise<void> {
    await page.goto(`${sandbox.url}/write`);
    await setTitle(page, '故障测试');
    await pasteHtml(page, '<p>正文</p>');
    await clickButton(page, '发布');
    await addTopic(page, '科技', '科技');
  }

  it('sends a captcha (40352) to the unhuman page and publishes nothing', async () => {
    await faults({ kind: 'captcha' });
    const page = await loggedInPage();
    await readyToConfirm(page);
    await Promise.all([page.waitForNavigation(), clickButton(page, '确认发布')]);
    expect(new URL(page.url()).pathname).toBe('/account/unhuman');
    expect(await page.title()).toBe('安全验证 - 知乎');
    const text = await page.$eval('body', (b) => b.textContent ?? '');
    expect(text).toContain('为了您的账号安全，请完成验证');
    expect(text).toContain('40352');
    expect(await articles()).toEqual([]);
  });

  it('shows the 40362 page after a publish that went through', async () => {
    await faults({ kind: 'risk-after-publish' });
    const page = await loggedInPage();
    await readyToConfirm(page);
    await clickButton(page, '确认发布');
    await page.waitForSelector('.ErrorPage-title::-p-text(40362)');
    expect(await page.$eval('body', (b) => b.textContent ?? '')).toContain('您当前请求存在异常，暂时限制本次访问');
    expect(await page.$('.Notification')).toBeNull();
    expect(new URL(page.url()).pathname).toMatch(/\/edit$/);
    expect(await articles()).toHaveLength(1);
  });

  it('shows an error toast for phone binding (4031) and stays on the editor', async () => {
    await faults({ kind: 'phone-binding' });
    const page = await loggedInPage();
    await readyToConfirm(page);
    await clickButton(page, '确认发布');
    expect(await toastText(page)).toBe('根据国家法律法规要求，发布内容前需要绑定手机号。');
    expect(new URL(page.url()).pathname).toMatch(/\/edit$/);
    expect(await articles()).toEqual([]);
    // The toast goes away by itself after a few seconds.
    await page.waitForSelector('.Notification', { hidden: true, timeout: 10_000 });
  });

  it('stays on the editor without a toast when the redirect never comes', async () => {
    await faults({ kind: 'no-redirect', publish: false });
    const page = await loggedInPage();
    await readyToConfirm(page);
    const answered = page.waitForResponse((r) => r.url().endsWith('/publish'));
    await clickButton(page, '确认发布');
    expect((await answered).status()).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(new URL(page.url()).pathname).toMatch(/\/edit$/);
    expect(await page.$('.Notification')).toBeNull();
    expect(await articles()).toEqual([]);
  });

  it('waits the slow-redirect time before reaching the article', async () => {
    await faults({ kind: 'slow-redirect', ms: 1500 });
    const page = await loggedInPage();
    await readyToConfirm(page);
    const answered = page.waitForResponse((r) => r.url().endsWith('/publish'));
    await clickButton(page, '确认发布');
    await answered;
    const t0 = Date.now();
    await page.waitForFunction(() => /^\/p\/\d+$/.test(location.pathname), { timeout: 15_000 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1300);
  });

  it('renders another editor when editor-changed fires', async () => {
    await faults({ kind: 'editor-changed', times: 1 });
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/write`);
    expect(await page.$('.public-DraftEditor-content')).toBeNull();
    expect(await page.$(TITLE_SELECTOR)).not.toBeNull();
    expect(await page.$('.ProseMirror[contenteditable="true"]')).not.toBeNull();
    await page.goto(`${sandbox.url}/write`);
    expect(await page.$(BODY_SELECTOR)).not.toBeNull();
  });

  it('crashes the renderer when renderer-crash fires', async () => {
    await faults({ kind: 'renderer-crash', times: 1, author: 'alice' });
    // A tab of another account, open on the same origin, must outlive the crash (a worker's other slots).
    const bystander = await loggedInPage('bob');
    await bystander.goto(`${sandbox.url}/write`);
    const page = await loggedInPage();
    const crashed = new Promise<Error>((resolve) => page.once('error', resolve));
    const started = Date.now();
    // goto may even resolve: the `error` event is the signal to rely on.
    void page.goto(`${sandbox.url}/write`).catch(() => undefined);
    const error = await crashed;
    expect(error.message).toBe('Page crashed!');
    expect(Date.now() - started).toBeLessThan(10_000);
    // A crashed tab answers nothing: calls into it hang (until protocolTimeout) or reject.
    const answer = await Promise.race([
      page.evaluate(() => document.title).then(
        (title) => `answered ${title}`,
        () => 'rejected',
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), 2000)),
    ]);
    expect(['no answer', 'rejected']).toContain(answer);
    expect(await bystander.$eval(BODY_SELECTOR, (el) => el.getAttribute('aria-label'))).toBe('请输入正文');

    // Used up: the next tab loads normally.
    const next = await context.newPage();
    await next.goto(`${sandbox.url}/write`);
    expect(await next.$(BODY_SELECTOR)).not.toBeNull();
  });
});

describe('publishing with today’s editor', () => {
  const faults = (body: Record<string, unknown>) => client(sandbox.url)('POST', '/__sandbox/faults', body);

  async function addTopicOnPage(page: Page, search: string, name: string): Promise<void> {
    await clickButton(page, '添加话题');
    const input = await page.waitForSelector('input[placeholder="搜索话题"]', { visible: true });
    await input?.type(search);
    const option = await page.waitForSelector(`::-p-xpath(//*[contains(@class,"Popover-content")]//button[normalize-space()="${name}"])`, { visible: true });
    const saved = page.waitForResponse((r) => /\/api\/articles\/\d+\/topics$/.test(r.url()) && r.request().method() === 'POST');
    await option?.click();
    expect((await saved).status()).toBe(200);
  }

  async function fill(page: Page, title: string): Promise<void> {
    await page.goto(`${sandbox.url}/write`);
    await setTitle(page, title);
    await pasteHtml(page, '<p>今天的正文</p>');
  }

  it('shows the settings on the page and publishes with one click on 发布', async () => {
    const page = await loggedInPage();
    await fill(page, '一键发布');
    expect(await page.$('[role="dialog"]')).toBeNull();
    await addTopicOnPage(page, 'Java', 'JavaScript');
    await addTopicOnPage(page, '写', '写作');
    const column = columnsOf('alice')[0];
    expect(await page.$$eval('select[aria-label="发布到专栏"] option', (os) => os.map((o) => o.textContent))).toEqual([
      '不发布到专栏',
      ...columnsOf('alice').map((c) => c.title),
    ]);
    await page.select('select[aria-label="发布到专栏"]', column?.id ?? '');
    await page.select('select[aria-label="创作声明"]', 'ai_creation');
    await page.select('select[aria-label="评论权限"]', 'nobody');

    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v4/content/publish'));
    await clickButton(page, '发布');
    const publish = await answer;
    expect(publish.status()).toBe(200);
    expect(((await publish.json()) as { message: string }).message).toBe('success');
    expect(publish.request().headers()['x-xsrftoken']).toMatch(/^[0-9a-f]{32}$/);
    // The browser passes the anti-crawler check by itself and lands on the article.
    await page.waitForSelector('script#js-initialData', { timeout: 15_000 });
    expect(new URL(page.url()).pathname).toMatch(/^\/p\/\d{19}$/);
    expect(await page.$eval('.ColumnLink-title', (e) => e.textContent)).toBe(column?.title);

    const stored = (await client(sandbox.url)('GET', '/__sandbox/articles')).json as Array<Record<string, unknown>>;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ title: '一键发布', topics: ['JavaScript', '写作'], column, statement: 'ai_creation', commentPermission: 'nobody' });
  });

  it('lands on the 40362 page after a publish that went through (risk-after-publish)', async () => {
    await faults({ kind: 'risk-after-publish', times: 1 });
    const page = await loggedInPage();
    await fill(page, '风控');
    await addTopicOnPage(page, '科技', '科技');
    await clickButton(page, '发布');
    await page.waitForSelector('.ErrorPage[data-code="40362"]', { timeout: 15_000 });
    expect(new URL(page.url()).pathname).toMatch(/^\/p\/\d{19}$/);
    expect(await client(sandbox.url)('GET', '/__sandbox/articles').then((r) => (r.json as unknown[]).length)).toBe(1);
    await page.reload();
    await page.waitForSelector('script#js-initialData');
  });

  it('goes to the captcha page for 40352 and shows a toast for a refusal, both answered with HTTP 200', async () => {
    await faults({ kind: 'captcha', times: 1 });
    await faults({ kind: 'phone-binding', times: 1 });
    const page = await loggedInPage();
    await fill(page, '被拒绝');
    await addTopicOnPage(page, '科技', '科技');
    await Promise.all([page.waitForNavigation(), clickButton(page, '发布')]);
    expect(new URL(page.url()).pathname).toBe('/account/unhuman');

    await fill(page, '被拒绝');
    await addTopicOnPage(page, '科技', '科技');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v4/content/publish'));
    await clickButton(page, '发布');
    expect((await answer).status()).toBe(200);
    expect(await toastText(page)).toBe('根据国家法律法规要求，发布内容前需要绑定手机号。');
    expect(await articles()).toEqual([]);
  });

  it('shows an article to a browser without cookies once it runs the check, never to a cookieless fetch', async () => {
    const publisher = await loggedInPage();
    await fill(publisher, '公开页面');
    await addTopicOnPage(publisher, '生活', '生活');
    await clickButton(publisher, '发布');
    await publisher.waitForSelector('script#js-initialData', { timeout: 15_000 });
    const url = publisher.url();

    const stranger = await browser.createBrowserContext();
    try {
      const page = await stranger.newPage();
      const statuses: number[] = [];
      page.on('response', (r) => {
        if (r.url() === url) statuses.push(r.status());
      });
      await page.goto(url);
      await page.waitForSelector('h1.Post-Title');
      // First the check (403), then the article, once the page's script set __zse_ck.
      expect(statuses).toEqual([403, 200]);
      expect(await page.$eval('h1.Post-Title', (e) => e.textContent)).toBe('公开页面');
    } finally {
      await stranger.close();
    }
    const cookieless = await fetch(url);
    expect(cookieless.status).toBe(403);
    expect(await cookieless.text()).not.toContain('公开页面');
  });
});

describe('editing a published article in its editor', () => {
  it.each(['today', 'legacy'] as const)('%s: opens with the article and its settings, and publishes the edit under the same id', async (layout) => {
    await client(sandbox.url)('POST', '/__sandbox/config', { layout });
    const column = columnsOf('alice')[1];
    const { id } = await publishToday(sandbox.url, 'alice', { title: '旧标题', content: '<p>旧正文</p>', column: column?.id, statement: 'spoiler', topics: ['19550000'] });
    const page = await loggedInPage();
    await page.goto(`${sandbox.url}/p/${id}/edit`);
    expect(await page.$eval(TITLE_SELECTOR, (el) => (el as HTMLTextAreaElement).value)).toBe('旧标题');
    expect(await page.$eval(BODY_SELECTOR, (el) => el.innerHTML)).toBe('<p>旧正文</p>');
    await setTitle(page, '新标题');
    await pasteHtml(page, '<p>新正文</p>');
    if (layout === 'legacy') await clickButton(page, '发布');
    // The settings start as the article was published, on the page today and in the dialog on the legacy flow.
    expect(await page.$eval('select[aria-label="发布到专栏"]', (el) => (el as HTMLSelectElement).value)).toBe(column?.id);
    expect(await page.$eval('select[aria-label="创作声明"]', (el) => (el as HTMLSelectElement).value)).toBe('spoiler');
    expect(await page.$$eval('.PublishPanel-topicTag', (els) => els.map((e) => e.getAttribute('data-topic-id')))).toEqual(['19550000']);
    const answer = page.waitForResponse((r) => /\/api\/v4\/content\/publish$|\/api\/articles\/\d+\/publish$/.test(r.url()));
    await clickButton(page, layout === 'today' ? '发布' : '确认发布');
    const sent = (await answer).request();
    if (layout === 'today') expect(JSON.parse(sent.postData() ?? '{}')).toMatchObject({ data: { draft: { id, isPublished: true } } });
    else expect(sent.method()).toBe('PUT');
    await page.waitForSelector('script#js-initialData', { timeout: 15_000 });
    expect(new URL(page.url()).pathname).toBe(`/p/${id}`);
    const stored = (await client(sandbox.url)('GET', '/__sandbox/articles')).json as Array<Record<string, unknown>>;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id, title: '新标题', html: '<p>新正文</p>', column, statement: 'spoiler', topics: ['编程'] });
    expect((stored[0]?.versions as Array<{ title: string }>).map((v) => v.title)).toEqual(['旧标题', '新标题']);
  });
});
