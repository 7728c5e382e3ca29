/**
 * Publishing one article to Zhihu the way a person would: login check, editor filled, 发布,
 * topics, 确认发布; then proof three ways (the article URL, no error, the public page says
 * published). The same code drives zhihu.com and the sandbox; only `origins` differ.
 */
import { LIMITS, type ErrorCode, type ParsedCookie, type Stage, type TaskError } from '@zpub/shared';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { PublishError, UNCONFIRMED_HINT } from '../../errors';
import {
  ARTICLE_PATH,
  CAPTCHA_PATH,
  DRAFTS_API,
  MESSAGE_PATTERNS,
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
  | { status: 'success'; url: string; articleId: string; duplicate: boolean; message: string }
  | { status: 'unconfirmed'; message: string; articleId: string | null; error?: TaskError };

export interface FlowOptions {
  redirectTimeoutMs: number;
}

const STEP_TIMEOUT = 15_000;
/** After Zhihu accepted the publish request, how long the editor gets to move before the public page is asked. */
const ACCEPTED_GRACE_MS = 5000;

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
  if (!res) throw new PublishError('PUBLISH_TIMEOUT', 'The login check (GET /api/v4/me) got no answer');
  const body = await res.text().catch(() => '');
  const status = res.status();
  const code = zhihuCode(body);
  if (code === ZHIHU_CODES.captcha) throw new PublishError('CAPTCHA_REQUIRED', 'Zhihu asked for a captcha at the login check');
  if (code === ZHIHU_CODES.risk) throw new PublishError('RISK_CONTROL', 'Zhihu answered 40362 to the login check');
  if (status === 401 || status === 403) throw new PublishError('LOGIN_EXPIRED', `Zhihu answered HTTP ${status} to the login check`);
  if (status === 429) throw new PublishError('RATE_LIMITED', 'Zhihu answered HTTP 429 to the login check');
  if (!res.ok()) throw new PublishError('PUBLISH_TIMEOUT', `The login check answered HTTP ${status}`);
  let me: { url_token?: unknown; name?: unknown };
  try {
    me = JSON.parse(body) as typeof me;
  } catch {
    throw new PublishError('LOGIN_EXPIRED', 'The login check did not answer with an account');
  }
  if (typeof me.url_token !== 'string' || me.url_token === '') throw new PublishError('LOGIN_EXPIRED', 'The login check did not name an account');
  return { urlToken: me.url_token, name: typeof me.name === 'string' && me.name ? me.name : me.url_token };
}

/** Zhihu's error code in an answer body (`{"error":{"code":40352,...}}`), if there is one. */
function zhihuCode(body: string): number | null {
  const m = /"code"\s*:\s*(\d+)/.exec(body);
  return m?.[1] ? Number(m[1]) : null;
}

/** What a Zhihu message (a toast, an error answer) means, when its code does not say. */
export function codeForMessage(text: string): ErrorCode {
  return MESSAGE_PATTERNS.find((p) => p.pattern.test(text))?.code ?? 'PUBLISH_REJECTED';
}

/** Reads an id that may be a bare JSON number too big for a double, straight from the text. */
function idFromJson(text: string): string | null {
  return /"id"\s*:\s*"?(\d{15,20})"?/.exec(text)?.[1] ?? null;
}

/**
 * "Never publish twice": the account's recent articles, newest first. An article with the same
 * title created since the earlier attempt's click is that attempt's article. When the list cannot
 * be read, nobody can tell, so this attempt stops rather than risk a second copy.
 */
export async function findExisting(page: Page, origins: Origins, urlToken: string, title: string, sinceMs: number): Promise<{ url: string; articleId: string } | null> {
  const res = await page.goto(origins.www + PATHS.memberArticles(urlToken), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  const unreadable = (why: string) =>
    new PublishError('PUBLISH_TIMEOUT', `An earlier attempt clicked 确认发布, and the account's article list could not be read to check for it (${why})`);
  if (!res?.ok()) throw unreadable(res ? `HTTP ${res.status()}` : 'no answer');
  const text = await res.text();
  // Parse each item's url and title; ids come from the url so their digits stay exact.
  let data: { url?: unknown; title?: unknown; created?: unknown }[];
  try {
    const parsed = JSON.parse(text) as { data?: unknown };
    if (!Array.isArray(parsed.data)) throw new Error('no data');
    data = parsed.data as typeof data;
  } catch {
    throw unreadable('not a list of articles');
  }
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
  publishOk: { id: string | null; at: number } | null;
}

function watchNetwork(page: Page): Watch {
  const watch: Watch = { draftId: null, publishError: null, publishOk: null };
  page.on('response', (res: HTTPResponse) => {
    const url = res.url();
    const method = res.request().method();
    if (method === 'POST' && DRAFTS_API.test(url)) {
      res.text().then((t) => (watch.draftId ??= idFromJson(t)), () => undefined);
    } else if (PUBLISH_API.test(url) && method !== 'GET') {
      const id = PUBLISH_API.exec(url)?.[1] ?? null;
      res.text().then(
        (t) => {
          if (res.status() >= 400) {
            const message = /"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(t)?.[1];
            watch.publishError = { status: res.status(), code: zhihuCode(t), message: message ? unescapeJson(message) : `HTTP ${res.status()}` };
          } else {
            watch.publishOk = { id: idFromJson(t) ?? id, at: Date.now() };
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The body editor, or proof that it changed: a rich-text area that is not Draft.js means Zhihu
 * swapped its editor, which needs no 15 s wait to know.
 */
async function waitForEditor(page: Page): Promise<void> {
  const found: string = await page
    .waitForFunction(
      (editor, any): string | false => (document.querySelector(editor) ? 'ok' : document.querySelector(any) ? 'changed' : false),
      { timeout: STEP_TIMEOUT },
      SELECTORS.editor,
      SELECTORS.anyEditor,
    )
    .then(async (h) => String(await h.jsonValue()))
    .catch((err: unknown) => {
      if (page.isClosed()) throw err;
      return 'missing';
    });
  if (found === 'ok') return;
  throw new PublishError(
    'EDITOR_CHANGED',
    found === 'changed'
      ? `The editor page has a body editor the publisher does not know (no ${SELECTORS.editor})`
      : `The body editor is missing (${SELECTORS.editor})`,
  );
}

/** A refusal Zhihu answered to the publish request, as the error a person can act on. */
function refusalError(err: NonNullable<Watch['publishError']>): PublishError {
  const said = `Zhihu refused to publish: "${err.message}"`;
  if (err.code === ZHIHU_CODES.captcha) return new PublishError('CAPTCHA_REQUIRED', `${said} (40352)`);
  if (err.code === ZHIHU_CODES.phoneBinding) return new PublishError('PHONE_BINDING_REQUIRED', `${said} (4031)`);
  if (err.status === 401) return new PublishError('LOGIN_EXPIRED', said);
  if (err.status === 429) return new PublishError('RATE_LIMITED', said);
  return new PublishError(codeForMessage(err.message), said);
}

type Verdict =
  | { kind: 'redirected'; id: string }
  | { kind: 'proven'; id: string }
  | { kind: 'refused'; error: PublishError }
  | { kind: 'risk' }
  | { kind: 'timeout' };

/**
 * After 确认发布: watches the page and the publish answer until one of them decides. The article
 * page is the normal end; a refusal (answer or toast) fails; an accepted answer without a redirect
 * is settled by the public page; 40362 is left to the public page, as the article may be live.
 */
async function awaitVerdict(page: Page, origins: Origins, title: string, watch: Watch, signal: AbortSignal, timeoutMs: number): Promise<Verdict> {
  const deadline = Date.now() + timeoutMs;
  let nextPublicCheck = 0;
  while (Date.now() < deadline && !signal.aborted) {
    const path = pathOf(page.url());
    const m = ARTICLE_PATH.exec(path);
    if (m?.[1]) return { kind: 'redirected', id: m[1] };
    if (CAPTCHA_PATH.test(path)) return { kind: 'refused', error: new PublishError('CAPTCHA_REQUIRED', 'Zhihu showed its captcha page after 确认发布 (40352)') };
    if (SIGNIN_PATH.test(path)) return { kind: 'refused', error: new PublishError('LOGIN_EXPIRED', 'Zhihu sent the editor to the sign-in page after 确认发布') };
    if (watch.publishError) {
      return watch.publishError.code === ZHIHU_CODES.risk ? { kind: 'risk' } : { kind: 'refused', error: refusalError(watch.publishError) };
    }
    const toast = watch.publishOk ? null : await toastText(page);
    if (toast) {
      // The page shows the toast once it has read the answer; the answer reaches us a moment later.
      for (let i = 0; i < 20 && !watch.publishError && !watch.publishOk; i++) await sleep(100);
      if (watch.publishError) continue;
      // A toast next to an accepted answer is not a refusal: the page or the public page decides.
      if (!watch.publishOk) return { kind: 'refused', error: new PublishError(codeForMessage(toast), `Zhihu showed "${toast}"`) };
    }
    const ok = watch.publishOk;
    if (ok?.id && Date.now() - ok.at >= ACCEPTED_GRACE_MS && Date.now() >= nextPublicCheck) {
      // Zhihu accepted it but the editor stays: the public page can settle it before the deadline.
      nextPublicCheck = Date.now() + 2000;
      if (await provenLive(origins, ok.id, title, 1)) return { kind: 'proven', id: ok.id };
    }
    await sleep(100);
  }
  return { kind: 'timeout' };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

export async function publishArticle(page: Page, origins: Origins, article: Article, me: Me, hooks: FlowHooks, prior: Prior, opts: FlowOptions): Promise<Outcome> {
  // Zhihu refuses it anyway; nothing is typed into its editor for a title it would reject.
  if ([...article.title].length > LIMITS.titleMax) throw new PublishError('TITLE_TOO_LONG', `The title has ${[...article.title].length} characters`);
  // An earlier attempt clicked 确认发布: if that article exists, this attempt is already done.
  if (prior.submittedAt !== null) {
    const existing = await findExisting(page, origins, me.urlToken, article.title, prior.submittedAt);
    if (existing) return { status: 'success', ...existing, duplicate: true, message: 'already published by an earlier attempt' };
  }
  const watch = watchNetwork(page);

  const res = await page.goto(origins.zhuanlan + PATHS.write, { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  if (SIGNIN_PATH.test(pathOf(page.url()))) throw new PublishError('LOGIN_EXPIRED', 'The editor sent the browser to the sign-in page');
  if (CAPTCHA_PATH.test(pathOf(page.url()))) throw new PublishError('CAPTCHA_REQUIRED', 'The editor sent the browser to the captcha page');
  if (res && res.status() >= 500) throw new PublishError('PUBLISH_TIMEOUT', `The editor answered HTTP ${res.status()}`);
  await waitForSelector(page, SELECTORS.title, 'The title field');
  await waitForEditor(page);

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

  const verdict = await awaitVerdict(page, origins, article.title, watch, hooks.signal, opts.redirectTimeoutMs);
  if (verdict.kind === 'refused') throw verdict.error;
  if (verdict.kind === 'redirected') await hooks.stage('redirected', `article page ${PATHS.article(verdict.id)} reached`);

  const id = verdict.kind === 'redirected' || verdict.kind === 'proven' ? verdict.id : (watch.publishOk?.id ?? watch.draftId);
  if (id && (verdict.kind === 'proven' || (await provenLive(origins, id, article.title)))) {
    const message =
      verdict.kind === 'risk'
        ? 'Zhihu answered 40362 (risk control) after 确认发布, but the public page says published'
        : verdict.kind === 'redirected'
          ? 'the public page says published'
          : 'the editor did not move on, but the public page says published';
    return { status: 'success', url: origins.zhuanlan + PATHS.article(id), articleId: id, duplicate: false, message };
  }
  if (verdict.kind === 'risk') {
    const message = `Zhihu answered 40362 (risk control) after 确认发布 and the public page does not show the article. ${UNCONFIRMED_HINT}`;
    return { status: 'unconfirmed', message, articleId: id, error: { code: 'RISK_CONTROL', message, retryable: false } };
  }
  const why =
    verdict.kind === 'redirected'
      ? 'The article page opened but the public page does not say published'
      : `No article page within ${Math.round(opts.redirectTimeoutMs / 1000)} s of 确认发布, and the public page does not show the article`;
  return { status: 'unconfirmed', message: `${why}. ${UNCONFIRMED_HINT}`, articleId: id };
}
