/**
 * Publishing one article to Zhihu the way a person would: login check, editor filled, 发布,
 * topics, 确认发布; then proof three ways (the article URL, no error, the public page says
 * published). The same code drives zhihu.com and the sandbox; only `origins` differ.
 */
import type { ParsedCookie, Stage } from '@zpub/shared';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import {
  ARTICLE_PATH,
  CAPTCHA_PATH,
  DRAFTS_API,
  PATHS,
  PUBLISH_API,
  SELECTORS,
  SIGNIN_PATH,
  TEXTS,
  ZHIHU_CODES,
} from './selectors';

export interface Origins {
  www: string;
  zhuanlan: string;
}

export interface Article {
  title: string;
  html: string;
  topics: string[];
}

export interface FlowHooks {
  /** Reports progress; throws when this attempt no longer owns the task. */
  stage(stage: Stage, message?: string): Promise<void>;
  /** Called right before the irreversible click; throws when the attempt lost the task. */
  beforeSubmit(): Promise<void>;
  signal: AbortSignal;
}

export interface Prior {
  /** When an earlier attempt clicked 确认发布 (ms), if it did. */
  submittedAt: number | null;
}

export type Outcome =
  | { status: 'success'; url: string; articleId: string; duplicate: boolean }
  | { status: 'unconfirmed'; message: string; articleId: string | null };

export interface FlowOptions {
  redirectTimeoutMs: number;
}

const STEP_TIMEOUT = 15_000;

export async function setAccountCookies(page: Page, origins: Origins, cookies: readonly ParsedCookie[]): Promise<void> {
  const targets = [...new Set([origins.www, origins.zhuanlan])];
  // Set on each origin rather than on the export's domain, so the same cookies work on the sandbox.
  await page.setCookie(
    ...targets.flatMap((url) =>
      cookies.map((c) => ({
        name: c.name,
        value: c.value,
        url,
        path: '/',
        httpOnly: c.httpOnly ?? false,
        secure: url.startsWith('https:'),
        ...(c.expires ? { expires: c.expires } : {}),
      })),
    ),
  );
}

export interface Me {
  urlToken: string;
  name: string;
}

/** `GET {www}/api/v4/me` in the account's browser context: who the cookies log in as. */
export async function loginCheck(page: Page, origins: Origins): Promise<Me> {
  const res = await page.goto(origins.www + PATHS.me, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  if (!res) throw new PublishError('PUBLISH_TIMEOUT', 'The login check got no answer');
  if (res.status() === 401 || res.status() === 403) throw new PublishError('LOGIN_EXPIRED');
  if (!res.ok()) throw new PublishError('PUBLISH_TIMEOUT', `The login check answered HTTP ${res.status()}`);
  const body = await res.text();
  let me: { url_token?: unknown; name?: unknown };
  try {
    me = JSON.parse(body) as typeof me;
  } catch {
    throw new PublishError('LOGIN_EXPIRED', 'The login check did not answer with an account');
  }
  if (typeof me.url_token !== 'string') throw new PublishError('LOGIN_EXPIRED');
  return { urlToken: me.url_token, name: typeof me.name === 'string' ? me.name : me.url_token };
}

/** Reads an id that may be a bare JSON number too big for a double, straight from the text. */
function idFromJson(text: string): string | null {
  return /"id"\s*:\s*"?(\d{15,20})"?/.exec(text)?.[1] ?? null;
}

/**
 * "Never publish twice": the account's recent articles, newest first. An article with the same
 * title created since the earlier attempt's click is that attempt's article.
 */
export async function findExisting(page: Page, origins: Origins, urlToken: string, title: string, sinceMs: number): Promise<{ url: string; articleId: string } | null> {
  const res = await page.goto(origins.www + PATHS.memberArticles(urlToken), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  if (!res?.ok()) return null;
  const text = await res.text();
  // Parse each item's url and title; ids come from the url so their digits stay exact.
  const data = (JSON.parse(text) as { data?: { url?: unknown; title?: unknown; created?: unknown }[] }).data ?? [];
  for (const item of data) {
    if (item.title !== title || typeof item.url !== 'string') continue;
    if (typeof item.created === 'number' && item.created * 1000 < sinceMs - 60_000) continue;
    const id = /\/p\/(\d{15,20})/.exec(item.url)?.[1];
    if (id) return { url: `${origins.zhuanlan}${PATHS.article(id)}`, articleId: id };
  }
  return null;
}

/** The public page, fetched without cookies: does Zhihu itself say this article is published? */
export async function publicArticleState(origins: Origins, articleId: string): Promise<{ state: string; title: string } | null> {
  const res = await fetch(origins.zhuanlan + PATHS.article(articleId), {
    redirect: 'follow',
    signal: AbortSignal.timeout(STEP_TIMEOUT),
    headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36' },
  }).catch(() => null);
  if (!res?.ok) return null;
  const html = await res.text();
  const m = /<script[^>]*id="js-initialData"[^>]*>([\s\S]*?)<\/script>/.exec(html);
  if (!m?.[1]) return null;
  try {
    const data = JSON.parse(m[1]) as {
      initialState?: { entities?: { articles?: Record<string, { state?: unknown; title?: unknown }> } };
    };
    const article = data.initialState?.entities?.articles?.[articleId];
    if (!article) return null;
    return { state: String(article.state ?? ''), title: String(article.title ?? '') };
  } catch {
    return null;
  }
}

async function provenLive(origins: Origins, articleId: string, title: string, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const found = await publicArticleState(origins, articleId);
    if (found?.state === 'published' && found.title === title) return true;
    await new Promise((r) => setTimeout(r, 500 * (i + 1)));
  }
  return false;
}

async function clickButton(page: Page, text: string, scope?: string): Promise<void> {
  const clicked = await page.evaluate(
    (t, s) => {
      const root = s ? document.querySelector(s) : document;
      const button = [...(root?.querySelectorAll('button') ?? [])].find((b) => (b.textContent ?? '').trim() === t);
      if (!button || (button as HTMLButtonElement).disabled) return false;
      (button as HTMLButtonElement).click();
      return true;
    },
    text,
    scope ?? null,
  );
  if (!clicked) throw new PublishError('EDITOR_CHANGED', `The "${text}" button is missing`);
}

async function waitForSelector(page: Page, selector: string, what: string): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout: STEP_TIMEOUT });
  } catch (err) {
    if (page.isClosed()) throw err;
    throw new PublishError('EDITOR_CHANGED', `${what} is missing (${selector})`);
  }
}

/** Title through the native setter plus an input event: the field is React-controlled. */
async function fillTitle(page: Page, title: string): Promise<void> {
  await page.evaluate(
    (sel, value) => {
      const el = document.querySelector<HTMLTextAreaElement>(sel);
      if (!el) return;
      const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
      setter?.call(el, value);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    SELECTORS.title,
    title,
  );
}

/** Select all in the Draft.js editor and paste HTML, as a person pasting would. */
async function pasteBody(page: Page, html: string): Promise<void> {
  await page.evaluate(
    (sel, content) => {
      const el = document.querySelector<HTMLElement>(sel);
      if (!el) return;
      el.focus();
      const range = document.createRange();
      range.selectNodeContents(el);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      const data = new DataTransfer();
      data.setData('text/html', content);
      const tmp = document.createElement('div');
      tmp.innerHTML = content;
      data.setData('text/plain', tmp.textContent ?? '');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    SELECTORS.editor,
    html,
  );
}

async function chooseTopics(page: Page, topics: readonly string[]): Promise<void> {
  for (const topic of topics.slice(0, 3)) {
    await clickButton(page, TEXTS.addTopic, SELECTORS.publishPanel);
    await waitForSelector(page, SELECTORS.topicSearch, 'The topic search box');
    await page.type(SELECTORS.topicSearch, topic);
    const picked = await page
      .waitForFunction(
        (sel, name) => {
          const options = [...document.querySelectorAll<HTMLElement>(sel)];
          const exact = options.find((o) => (o.textContent ?? '').trim() === name) ?? options[0];
          if (!exact) return false;
          exact.click();
          return true;
        },
        { timeout: STEP_TIMEOUT },
        SELECTORS.topicOption,
        topic,
      )
      .catch(() => null);
    if (!picked) throw new PublishError('EDITOR_CHANGED', `No topic suggestion for "${topic}"`);
  }
}

interface Watch {
  draftId: string | null;
  publishError: { status: number; code: number | null; message: string } | null;
  publishOk: string | null;
}

function watchNetwork(page: Page): Watch {
  const watch: Watch = { draftId: null, publishError: null, publishOk: null };
  page.on('response', (res: HTTPResponse) => {
    const url = res.url();
    const method = res.request().method();
    if (method === 'POST' && DRAFTS_API.test(url)) {
      res.text().then((t) => (watch.draftId ??= idFromJson(t)), () => undefined);
    } else if (PUBLISH_API.test(url)) {
      const id = PUBLISH_API.exec(url)?.[1] ?? null;
      res.text().then(
        (t) => {
          if (res.status() >= 400) {
            const code = /"code"\s*:\s*(\d+)/.exec(t)?.[1];
            const message = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(t)?.[1] ?? `HTTP ${res.status()}`;
            watch.publishError = { status: res.status(), code: code ? Number(code) : null, message: unescapeJson(message) };
          } else {
            watch.publishOk = id;
          }
        },
        () => undefined,
      );
    }
  });
  return watch;
}

function unescapeJson(s: string): string {
  try {
    return JSON.parse(`"${s}"`) as string;
  } catch {
    return s;
  }
}

async function toastText(page: Page): Promise<string | null> {
  return page
    .evaluate((sel) => {
      const el = document.querySelector(sel);
      return el ? (el.textContent ?? '').trim() : null;
    }, SELECTORS.toast)
    .catch(() => null);
}

export async function publishArticle(page: Page, origins: Origins, article: Article, me: Me, hooks: FlowHooks, prior: Prior, opts: FlowOptions): Promise<Outcome> {
  // An earlier attempt clicked 确认发布: if that article exists, this attempt is already done.
  if (prior.submittedAt !== null) {
    const existing = await findExisting(page, origins, me.urlToken, article.title, prior.submittedAt);
    if (existing) return { status: 'success', ...existing, duplicate: true };
  }
  const watch = watchNetwork(page);

  const res = await page.goto(origins.zhuanlan + PATHS.write, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  if (SIGNIN_PATH.test(new URL(page.url()).pathname)) throw new PublishError('LOGIN_EXPIRED');
  if (res && res.status() >= 500) throw new PublishError('PUBLISH_TIMEOUT', `The editor answered HTTP ${res.status()}`);
  await waitForSelector(page, SELECTORS.title, 'The title field');
  await waitForSelector(page, SELECTORS.editor, 'The body editor');

  await fillTitle(page, article.title);
  await pasteBody(page, article.html);
  const filled = await page.evaluate(
    (t, e) => ({
      title: document.querySelector<HTMLTextAreaElement>(t)?.value ?? '',
      body: (document.querySelector(e)?.textContent ?? '').trim().length,
    }),
    SELECTORS.title,
    SELECTORS.editor,
  );
  if (filled.title !== article.title || filled.body === 0) {
    throw new PublishError('EDITOR_CHANGED', 'The editor did not take the title or the body');
  }
  await hooks.stage('editor', 'title and body filled');

  await clickButton(page, TEXTS.publish);
  await waitForSelector(page, SELECTORS.publishPanel, 'The publish panel');
  await chooseTopics(page, article.topics);

  // The last moment to stop: after this click the article may be live.
  await hooks.beforeSubmit();
  await clickButton(page, TEXTS.confirm, SELECTORS.publishPanel);

  const deadline = Date.now() + opts.redirectTimeoutMs;
  let articleId: string | null = null;
  let toast: string | null = null;
  while (Date.now() < deadline) {
    if (hooks.signal.aborted) break;
    const path = new URL(page.url()).pathname;
    const m = ARTICLE_PATH.exec(path);
    if (m?.[1]) {
      articleId = m[1];
      break;
    }
    if (CAPTCHA_PATH.test(path)) throw new PublishError('CAPTCHA_REQUIRED', undefined, false);
    if (watch.publishError) break;
    toast = await toastText(page);
    if (toast) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const err = watch.publishError;
  if (err) {
    // Zhihu said no before publishing: a clear refusal, not an unknown outcome.
    if (err.code === ZHIHU_CODES.captcha) throw new PublishError('CAPTCHA_REQUIRED');
    if (err.code === ZHIHU_CODES.phoneBinding) throw new PublishError('PHONE_BINDING_REQUIRED');
    if (err.status === 401) throw new PublishError('LOGIN_EXPIRED');
    if (err.code !== ZHIHU_CODES.risk) {
      if (/话题/.test(err.message)) throw new PublishError('TOPIC_REQUIRED', `Zhihu: ${err.message}`);
      throw new PublishError('PUBLISH_REJECTED', `Zhihu: ${err.message}`);
    }
    // 40362 can come after the article went live: only the public page can tell.
  } else if (toast && !articleId) {
    if (/话题/.test(toast)) throw new PublishError('TOPIC_REQUIRED', `Zhihu: ${toast}`);
    throw new PublishError('PUBLISH_REJECTED', `Zhihu: ${toast}`);
  }

  const id = articleId ?? watch.publishOk ?? watch.draftId;
  if (articleId) await hooks.stage('redirected', `article page ${PATHS.article(articleId)} reached`);
  if (id && (await provenLive(origins, id, article.title))) {
    return { status: 'success', url: origins.zhuanlan + PATHS.article(id), articleId: id, duplicate: false };
  }
  const why = err?.code === ZHIHU_CODES.risk
    ? 'Zhihu answered 40362 (risk control) after 确认发布 and the public page does not show the article'
    : articleId
      ? 'The article page opened but the public page does not say published'
      : `No article page within ${Math.round(opts.redirectTimeoutMs / 1000)} s and the public page does not show the article`;
  return { status: 'unconfirmed', message: why, articleId: id };
}
