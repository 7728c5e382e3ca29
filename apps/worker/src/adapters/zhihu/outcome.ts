/**
 * What happened after the publishing click: the publish answer the page got (today's
 * content/publish reports refusals as HTTP 200 with a `code`; the legacy PUT as HTTP errors), where
 * the page went (the article, the captcha page, a 40362 page), and any toast. The article page is
 * the normal end; a refusal fails; anything in between is settled by proof from the session.
 */
import type { HTTPResponse, Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import type { Expected } from './content';
import { codeForMessage } from './messages';
import { pathOf, type Layout } from './editor';
import { proveLive } from './proof';
import {
  ARTICLE_PATH,
  CAPTCHA_PATH,
  CONTENT_PUBLISH_API,
  DRAFTS_API,
  DRAFT_API,
  LEGACY_PUBLISH_API,
  PUBLISH_SUCCESS_MESSAGE,
  RISK_PAGE_TEXT,
  SELECTORS,
  SIGNIN_PATH,
  ZHIHU_CODES,
} from './selectors';
import { zhihuCode, zhihuMessage, type Origins } from './session';

export interface Watch {
  /** The draft the page edits: the one it created, or the article being updated. */
  draftId: string | null;
  /** What the page's answered draft saves last carried (each save may carry only some fields). */
  saved: { title: string | null; content: string | null };
  publishError: { status: number; code: number | null; message: string } | null;
  publishOk: { id: string | null; at: number } | null;
}

/** Reads an id that may be a bare JSON number too big for a double, straight from the text. */
function idFromJson(text: string): string | null {
  return /"id"\s*:\s*"?(\d{15,20})"?/.exec(text)?.[1] ?? null;
}

/** The answer to today's content/publish: accepted, refused (HTTP 200 with a code), or an HTTP error. */
export function readContentPublish(status: number, text: string): { ok: true } | { ok: false; code: number | null; message: string } | null {
  const message = zhihuMessage(text);
  if (status === 200 && message === PUBLISH_SUCCESS_MESSAGE) return { ok: true };
  const code = zhihuCode(text);
  if (status === 200 && (code === null || code === 0)) return null;
  return { ok: false, code, message: message ?? `HTTP ${status}` };
}

/** Notes what an answered draft save carried; in answer order, so a late answer to an older save cannot undo a newer one. */
function noteSave(watch: Watch, res: HTTPResponse): void {
  if (!res.ok()) return;
  try {
    const body = JSON.parse(res.request().postData() ?? '') as { title?: unknown; content?: unknown };
    if (typeof body.title === 'string') watch.saved.title = body.title;
    if (typeof body.content === 'string') watch.saved.content = body.content;
  } catch {
    // A save without a JSON body says nothing about title or body.
  }
}

/** `articleId`: the page edits that article (or draft) instead of creating one. */
export function watchNetwork(page: Page, articleId: string | null = null): Watch {
  const watch: Watch = { draftId: articleId, saved: { title: null, content: null }, publishError: null, publishOk: null };
  page.on('response', (res: HTTPResponse) => {
    const url = res.url();
    const method = res.request().method();
    if (method === 'POST' && DRAFTS_API.test(url)) {
      noteSave(watch, res);
      res.text().then((t) => (watch.draftId ??= idFromJson(t)), () => undefined);
    } else if (method === 'PATCH' && DRAFT_API.test(url)) {
      if (watch.draftId === null || DRAFT_API.exec(url)?.[1] === watch.draftId) noteSave(watch, res);
    } else if (method === 'POST' && CONTENT_PUBLISH_API.test(url)) {
      const id = idFromJson(res.request().postData() ?? '');
      res.text().then(
        (t) => {
          const answer = readContentPublish(res.status(), t);
          if (answer?.ok) watch.publishOk = { id: id ?? watch.draftId, at: Date.now() };
          else if (answer) watch.publishError = { status: res.status(), code: answer.code, message: answer.message };
        },
        () => undefined,
      );
    } else if (method === 'PUT' && LEGACY_PUBLISH_API.test(url)) {
      const id = LEGACY_PUBLISH_API.exec(url)?.[1] ?? null;
      res.text().then(
        (t) => {
          if (res.status() >= 400) watch.publishError = { status: res.status(), code: zhihuCode(t), message: zhihuMessage(t) ?? `HTTP ${res.status()}` };
          else watch.publishOk = { id: idFromJson(t) ?? id, at: Date.now() };
        },
        () => undefined,
      );
    }
  });
  return watch;
}

/** A refusal Zhihu answered to the publish request, as the error a person can act on. */
export function refusalError(err: NonNullable<Watch['publishError']>): PublishError {
  const said = `Zhihu refused to publish: "${err.message}"`;
  if (err.code === ZHIHU_CODES.captcha) return new PublishError('CAPTCHA_REQUIRED', `${said} (40352)`);
  if (err.code === ZHIHU_CODES.phoneBinding) return new PublishError('PHONE_BINDING_REQUIRED', `${said} (4031)`);
  if (err.status === 401) return new PublishError('LOGIN_EXPIRED', said);
  if (err.status === 429) return new PublishError('RATE_LIMITED', said);
  return new PublishError(codeForMessage(err.message), said);
}

export type Verdict =
  | { kind: 'redirected'; id: string }
  | { kind: 'proven'; id: string }
  | { kind: 'refused'; error: PublishError }
  | { kind: 'risk'; id: string | null }
  | { kind: 'timeout' };

/** After Zhihu accepted the publish request, how long the editor gets to move before proof is asked for. */
const ACCEPTED_GRACE_MS = 5000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function toastText(page: Page): Promise<string | null> {
  return page
    .evaluate((sel) => {
      const el = document.querySelector(sel);
      return el ? (el.textContent ?? '').trim() : null;
    }, SELECTORS.toast)
    .catch(() => null);
}

/** What the page at /p/<id> shows: the article's data, Zhihu's 40362 page, or neither yet (its check is running). */
async function articlePageShows(page: Page): Promise<'article' | 'risk' | 'pending'> {
  return page
    .evaluate(
      (dataSel, riskText) => {
        if (document.querySelector(dataSel)) return 'article' as const;
        const text = document.body?.textContent ?? '';
        return new RegExp(riskText).test(text) ? ('risk' as const) : ('pending' as const);
      },
      SELECTORS.articleData,
      RISK_PAGE_TEXT.source,
    )
    .catch(() => 'pending' as const);
}

/**
 * Watches the page and the publish answer until one of them decides, or the time is up. A 40362
 * (in the answer, or as the page the editor lands on) is left to proof: the article may be live.
 */
export async function awaitVerdict(page: Page, origins: Origins, expected: Expected, watch: Watch, signal: AbortSignal, timeoutMs: number, layout: Layout): Promise<Verdict> {
  const deadline = Date.now() + timeoutMs;
  const clicked = layout === 'today' ? '发布' : '确认发布';
  let landed: string | null = null;
  let nextProof = 0;
  while (Date.now() < deadline && !signal.aborted) {
    const path = pathOf(page.url());
    const m = ARTICLE_PATH.exec(path);
    if (m?.[1]) {
      landed = m[1];
      const shows = await articlePageShows(page);
      if (shows === 'article') return { kind: 'redirected', id: m[1] };
      if (shows === 'risk') return { kind: 'risk', id: m[1] };
    } else {
      landed = null;
    }
    if (CAPTCHA_PATH.test(path)) return { kind: 'refused', error: new PublishError('CAPTCHA_REQUIRED', `Zhihu showed its captcha page after ${clicked} (40352)`) };
    if (SIGNIN_PATH.test(path)) return { kind: 'refused', error: new PublishError('LOGIN_EXPIRED', `Zhihu sent the editor to the sign-in page after ${clicked}`) };
    if (watch.publishError) {
      if (watch.publishError.code === ZHIHU_CODES.risk) return { kind: 'risk', id: watch.draftId };
      return { kind: 'refused', error: refusalError(watch.publishError) };
    }
    const toast = watch.publishOk || landed ? null : await toastText(page);
    if (toast) {
      // The page shows the toast once it has read the answer; the answer reaches us a moment later.
      for (let i = 0; i < 20 && !watch.publishError && !watch.publishOk; i++) await sleep(100);
      if (watch.publishError) continue;
      // A toast next to an accepted answer is not a refusal: the page or the proof decides.
      if (!watch.publishOk) return { kind: 'refused', error: new PublishError(codeForMessage(toast), `Zhihu showed "${toast}"`) };
    }
    const ok = watch.publishOk;
    if (ok?.id && Date.now() - ok.at >= ACCEPTED_GRACE_MS && Date.now() >= nextProof) {
      // Zhihu accepted it but the editor stays: proof from the session can settle it before the deadline.
      nextProof = Date.now() + 2000;
      if (await proveLive(page, origins, ok.id, expected, 1)) return { kind: 'proven', id: ok.id };
    }
    await sleep(100);
  }
  return landed ? { kind: 'redirected', id: landed } : { kind: 'timeout' };
}
