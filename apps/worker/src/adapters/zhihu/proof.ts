/**
 * Whether an article is live, asked from inside the account's logged-in browser context: a tab of
 * its own opens the article page, which runs Zhihu's own anti-crawler script (a cookieless fetch
 * meets a 403 and /account/unhuman and proves nothing: RSSHub #18758) and then carries
 * `script#js-initialData`. Also: the account's recent articles, so nothing is published twice,
 * and a draft's own editor page, which shows what the draft holds.
 */
import type { Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import { sameTitle, shows, type Expected } from './content';
import { CAPTCHA_PATH, PATHS, RISK_PAGE_TEXT, SELECTORS } from './selectors';
import { STEP_TIMEOUT, type Origins } from './session';


export interface ArticleState {
  state: string;
  title: string;
  /** The body as the article page holds it (HTML); absent when the data carries none. */
  content?: string | undefined;
}

/** The article's entry in `script#js-initialData` text, or null when the data does not hold it. */
export function articleFromInitialData(json: string, articleId: string): ArticleState | null {
  try {
    const data = JSON.parse(json) as { initialState?: { entities?: { articles?: Record<string, { state?: unknown; title?: unknown; content?: unknown }> } } };
    const article = data.initialState?.entities?.articles?.[articleId];
    if (!article) return null;
    const found: ArticleState = { state: String(article.state ?? ''), title: String(article.title ?? '') };
    if (typeof article.content === 'string') found.content = article.content;
    return found;
  } catch {
    return null;
  }
}

/**
 * The article page in a new tab of the same context. Waits through Zhihu's check (a 403 whose
 * script reloads the page) until the data is there; any other page that has finished loading (a
 * 404 for an unpublished draft, the captcha page, the 40362 page) means: not shown (null).
 */
export async function articleState(page: Page, origins: Origins, articleId: string): Promise<ArticleState | null> {
  const probe = await page.browserContext().newPage();
  let lastStatus = 0;
  probe.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.frame() === probe.mainFrame()) lastStatus = res.status();
  });
  try {
    await probe.goto(origins.zhuanlan + PATHS.article(articleId), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
    const deadline = Date.now() + STEP_TIMEOUT;
    while (Date.now() < deadline) {
      // A navigation (the check's reload) destroys the context an evaluation runs in: ask again.
      const seen = await probe
        .evaluate(
          (dataSel, riskText, captchaPath) => {
            const data = document.querySelector(dataSel);
            if (data) return { data: data.textContent, other: false };
            const risk = new RegExp(riskText).test(document.body?.textContent ?? '');
            return { data: null, other: new RegExp(captchaPath).test(location.pathname) || (risk && document.readyState === 'complete') };
          },
          SELECTORS.articleData,
          RISK_PAGE_TEXT.source,
          CAPTCHA_PATH.source,
        )
        .catch(() => ({ data: null, other: false }));
      if (seen.data) return articleFromInitialData(seen.data, articleId);
      if (seen.other) return null;
      // A finished page that is not the check (which answers 403 and reloads) will not turn into the article.
      const settled = await probe.evaluate(() => document.readyState === 'complete').catch(() => false);
      if (settled && lastStatus !== 0 && lastStatus !== 403) return null;
      await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  } catch {
    return null;
  } finally {
    await probe.close().catch(() => undefined);
  }
}

/**
 * Asks up to `tries` times, a little longer apart each time: a fresh article (or a fresh version
 * of one) can take a moment. For an update, the body must be the new one too.
 */
export async function proveLive(page: Page, origins: Origins, articleId: string, expected: Expected, tries = 3): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const found = await articleState(page, origins, articleId);
    if (found?.state === 'published' && shows(found, expected)) return true;
    if (i + 1 < tries) await new Promise((r) => setTimeout(r, 500 * (i + 1)));
  }
  return false;
}

/**
 * "Never publish twice": the account's recent articles, newest first, read in its browser
 * context. An article with the same title created since the earlier attempt's click is that
 * attempt's article. When the list cannot be read, nobody can tell, so this attempt stops rather
 * than risk a second copy.
 */
export async function findExisting(page: Page, origins: Origins, urlToken: string, title: string, sinceMs: number): Promise<{ url: string; articleId: string } | null> {
  const res = await page.goto(origins.www + PATHS.memberArticles(urlToken), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
  const unreadable = (why: string) =>
    new PublishError('PUBLISH_TIMEOUT', `An earlier attempt clicked to publish, and the account's article list could not be read to check for it (${why})`);
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
    if (typeof item.title !== 'string' || !sameTitle(item.title, title) || typeof item.url !== 'string') continue;
    if (typeof item.created === 'number' && item.created * 1000 < sinceMs - 60_000) continue;
    const id = /\/p\/(\d{15,20})/.exec(item.url)?.[1];
    if (id) return { url: `${origins.zhuanlan}${PATHS.article(id)}`, articleId: id };
  }
  return null;
}

/**
 * What a draft holds, read where its author reads it: the draft's editor page (`/p/<id>/edit`) in a
 * new tab of the logged-in context. True when its title field shows `title`.
 */
export async function draftShows(page: Page, origins: Origins, draftId: string, title: string): Promise<boolean> {
  const probe = await page.browserContext().newPage();
  try {
    await probe.goto(origins.zhuanlan + PATHS.edit(draftId), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
    const field = await probe.waitForSelector(SELECTORS.title, { timeout: STEP_TIMEOUT }).catch(() => null);
    if (!field) return false;
    const value = await field.evaluate((el) => (el as HTMLTextAreaElement).value);
    return sameTitle(value, title);
  } catch {
    return false;
  } finally {
    await probe.close().catch(() => undefined);
  }
}
