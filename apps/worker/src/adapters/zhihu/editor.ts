/**
 * Driving Zhihu's editor page like a person: open it (a new article, or the editor of an existing
 * one), fill the title and body, tell which flow it offers (today: settings on the page; legacy: a
 * dialog behind 发布), make the topics and the other settings what the task asks, and set the
 * cover. Every missing element is EDITOR_CHANGED, found fast.
 */
import { note, type CommentPermission, type CreationStatement, type Note, type NoteParams } from '@zpub/shared';
import type { HTTPResponse, Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import {
  ARTICLE_PATH,
  CAPTCHA_PATH,
  COMMENT_LABELS,
  FORBIDDEN_TEXT,
  PATHS,
  SELECTORS,
  SIGNIN_PATH,
  STATEMENT_LABELS,
  TEXTS,
  TOPICS_API,
  TOPIC_DELETE_API,
} from './selectors';
import { STEP_TIMEOUT, pageFetch, zhihuMessage, type Origins } from './session';

export type Layout = 'today' | 'legacy';

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

export async function clickButton(page: Page, text: string, scope?: string): Promise<void> {
  const clicked = await page.evaluate(
    (t, s) => {
      const root = s ? document.querySelector(s) : document;
      const button = [...(root?.querySelectorAll('button') ?? [])].find((b) => (b.textContent ?? '').trim() === t);
      if (!button || button.disabled) return false;
      button.click();
      return true;
    },
    text,
    scope ?? null,
  );
  if (!clicked) throw new PublishError('EDITOR_CHANGED', note('buttonMissing', { button: text }));
}

export async function waitForSelector(page: Page, selector: string, element: NoteParams<'elementMissing'>['element']): Promise<void> {
  try {
    await page.waitForSelector(selector, { timeout: STEP_TIMEOUT });
  } catch (err) {
    if (page.isClosed()) throw err;
    throw new PublishError('EDITOR_CHANGED', note('elementMissing', { element, selector }));
  }
}

/**
 * The body editor, or proof that it changed: a rich-text area that is not Draft.js means Zhihu
 * swapped its editor, which needs no 15 s wait to know.
 */
async function waitForBodyEditor(page: Page): Promise<void> {
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
      ? note('unknownBodyEditor', { selector: SELECTORS.editor })
      : note('elementMissing', { element: 'body', selector: SELECTORS.editor }),
  );
}

/**
 * The editor of an existing article, or why this account cannot have it: 404 (no such article),
 * 403 with Zhihu's no-permission text, or the article page instead of its editor (not this
 * account's). A 403 without that text may be the anti-crawler check, which reloads by itself.
 */
async function awaitEditPage(page: Page, articleId: string, status: () => number): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT;
  const gone = (why: Note) => new PublishError('ARTICLE_NOT_FOUND', why);
  for (;;) {
    const seen = await page
      .evaluate(
        (titleSel, forbidden) => ({
          editor: document.querySelector(titleSel) !== null,
          complete: document.readyState === 'complete',
          forbidden: new RegExp(forbidden).test(document.body?.textContent ?? ''),
        }),
        SELECTORS.title,
        FORBIDDEN_TEXT.source,
      )
      .catch(() => ({ editor: false, complete: false, forbidden: false }));
    if (seen.editor) return;
    // A cancelled attempt closes the tab: stop at once rather than wait out the step.
    if (page.isClosed()) throw new PublishError('PUBLISH_TIMEOUT', note('editorClosed', { articleId }));
    if (seen.complete) {
      if (status() === 404) throw gone(note('articleMissing', { articleId }));
      if (status() === 403 && seen.forbidden) throw gone(note('articleForeign', { articleId }));
      if (ARTICLE_PATH.test(pathOf(page.url()))) throw gone(note('articleNotEditable', { articleId }));
    }
    if (Date.now() > deadline) throw new PublishError('EDITOR_CHANGED', note('elementMissing', { element: 'title', selector: SELECTORS.title }));
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The editor, ready for typing: the title field and the Draft.js body are there. A new article
 * starts at `{zhuanlan}/write`; an existing one (or a draft) at `{zhuanlan}/p/<id>/edit`.
 */
export async function openEditor(page: Page, origins: Origins, articleId?: string): Promise<void> {
  let status = 0;
  const onResponse = (res: HTTPResponse) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) status = res.status();
  };
  page.on('response', onResponse);
  try {
    const res = await page.goto(origins.zhuanlan + (articleId ? PATHS.edit(articleId) : PATHS.write), { waitUntil: 'domcontentloaded', timeout: STEP_TIMEOUT });
    if (SIGNIN_PATH.test(pathOf(page.url()))) throw new PublishError('LOGIN_EXPIRED', note('editorSignin'));
    if (CAPTCHA_PATH.test(pathOf(page.url()))) throw new PublishError('CAPTCHA_REQUIRED', note('editorCaptcha'));
    if (res && res.status() >= 500) throw new PublishError('PUBLISH_TIMEOUT', note('editorHttp', { status: res.status() }));
    if (articleId) await awaitEditPage(page, articleId, () => status || (res?.status() ?? 0));
    else await waitForSelector(page, SELECTORS.title, 'title');
    await waitForBodyEditor(page);
  } finally {
    page.off('response', onResponse);
  }
}

/** Title through the native setter plus an input event (the field is React-controlled); body by a paste of HTML. */
export async function fillEditor(page: Page, title: string, html: string): Promise<void> {
  await page.evaluate(
    (titleSel, editorSel, value, content) => {
      const field = document.querySelector<HTMLTextAreaElement>(titleSel);
      if (field) {
        Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set?.call(field, value);
        field.dispatchEvent(new Event('input', { bubbles: true }));
      }
      // Select all in the Draft.js editor and paste, as a person pasting would.
      const body = document.querySelector<HTMLElement>(editorSel);
      if (!body) return;
      body.focus();
      const range = document.createRange();
      range.selectNodeContents(body);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      const data = new DataTransfer();
      data.setData('text/html', content);
      const tmp = document.createElement('div');
      tmp.innerHTML = content;
      data.setData('text/plain', tmp.textContent ?? '');
      body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    },
    SELECTORS.title,
    SELECTORS.editor,
    title,
    html,
  );
  const filled = await page.evaluate(
    (t, e) => ({ title: document.querySelector<HTMLTextAreaElement>(t)?.value ?? '', body: (document.querySelector(e)?.textContent ?? '').trim().length }),
    SELECTORS.title,
    SELECTORS.editor,
  );
  if (filled.title !== title || filled.body === 0) throw new PublishError('EDITOR_CHANGED', note('editorNotFilled'));
}

/** Today's editor shows 添加话题 on the page itself; the legacy one only inside the dialog behind 发布. */
export async function detectLayout(page: Page): Promise<Layout> {
  const onPage = await page.evaluate(
    (text, dialog) =>
      [...document.querySelectorAll('button')].some((b) => (b.textContent ?? '').trim() === text && !b.closest(dialog)),
    TEXTS.addTopic,
    SELECTORS.publishPanel,
  );
  return onPage ? 'today' : 'legacy';
}

/** Opens the legacy flow's dialog. */
export async function openPublishDialog(page: Page): Promise<void> {
  await clickButton(page, TEXTS.publish);
  await waitForSelector(page, SELECTORS.publishPanel, 'publishPanel');
}

/** The names on the topic chips the page shows (an existing article's own topics, or ones chosen so far). */
async function chipNames(page: Page, scope: string | undefined): Promise<string[]> {
  return page.evaluate(
    (chipSel, s) => {
      const root = s ? document.querySelector(s) : document;
      return [...(root?.querySelectorAll(chipSel) ?? [])].map((chip) => {
        const copy = chip.cloneNode(true) as Element;
        copy.querySelectorAll('button').forEach((b) => b.remove());
        return (copy.textContent ?? '').trim();
      });
    },
    SELECTORS.topicChip,
    scope ?? null,
  );
}

/**
 * Takes off the `index`th chip (named `name`); today's page saves that to the draft at once, and
 * that answer must be a success. Chips keep their order, so removing from the last up keeps the
 * indices of the others.
 */
async function removeTopic(page: Page, index: number, name: string, layout: Layout, scope: string | undefined): Promise<void> {
  const saved =
    layout === 'today'
      ? page.waitForResponse((r) => TOPIC_DELETE_API.test(r.url()) && r.request().method() === 'DELETE', { timeout: STEP_TIMEOUT }).catch(() => null)
      : null;
  const clicked = await page.evaluate(
    (chipSel, label, i, s) => {
      const root = s ? document.querySelector(s) : document;
      const button = root?.querySelectorAll(chipSel)[i]?.querySelector<HTMLButtonElement>(`button[aria-label="${label}"]`);
      if (!button) return false;
      button.click();
      return true;
    },
    SELECTORS.topicChip,
    TEXTS.removeTopic,
    index,
    scope ?? null,
  );
  if (!clicked) throw new PublishError('EDITOR_CHANGED', note('topicNoRemove', { topic: name, selector: `${SELECTORS.topicChip} button[aria-label="${TEXTS.removeTopic}"]` }));
  if (saved) {
    const res = await saved;
    if (!res) throw new PublishError('EDITOR_CHANGED', note('topicNotRemoved', { topic: name }));
    if (!res.ok()) throw new PublishError('PUBLISH_REJECTED', note('topicRemoveRefused', { topic: name, status: res.status() }));
  }
}

/** How long the exact topic name is waited for among the suggestions before the first is taken. */
const EXACT_TOPIC_WAIT_MS = 1500;

/**
 * Makes the chosen topics the task's (at most three): chips the task does not name are taken off
 * (an article being updated comes with its own), then each missing one is searched and picked
 * from the suggestions (the exact name, else, after EXACT_TOPIC_WAIT_MS, the first). No topics
 * leaves the page's as they are.
 * Today's page saves each change to the draft at once; that answer must be a success.
 */
export async function chooseTopics(page: Page, topics: readonly string[], layout: Layout): Promise<void> {
  const scope = layout === 'legacy' ? SELECTORS.publishPanel : undefined;
  const wanted = topics.slice(0, 3);
  if (wanted.length === 0) return;
  const present = await chipNames(page, scope);
  for (let i = present.length - 1; i >= 0; i--) {
    const name = present[i] ?? '';
    if (!wanted.includes(name)) await removeTopic(page, i, name, layout, scope);
  }
  for (const topic of wanted) {
    if (present.includes(topic)) continue;
    await clickButton(page, TEXTS.addTopic, scope);
    await waitForSelector(page, SELECTORS.topicSearch, 'topicSearch');
    await page.type(SELECTORS.topicSearch, topic);
    const saved =
      layout === 'today'
        ? page.waitForResponse((r) => TOPICS_API.test(r.url()) && r.request().method() === 'POST', { timeout: STEP_TIMEOUT }).catch(() => null)
        : null;
    // Every keystroke asks for suggestions, and the list on screen may still answer a shorter
    // query: the exact name is waited for a while before the first suggestion is taken instead.
    const picked = await page
      .waitForFunction(
        (sel, name, until) => {
          const options = [...document.querySelectorAll<HTMLElement>(sel)];
          const chosen = options.find((o) => (o.textContent ?? '').trim() === name) ?? (Date.now() >= until ? options[0] : undefined);
          if (!chosen) return false;
          chosen.click();
          return true;
        },
        { timeout: STEP_TIMEOUT },
        SELECTORS.topicSuggestion,
        topic,
        Date.now() + EXACT_TOPIC_WAIT_MS,
      )
      .catch(() => null);
    if (!picked) throw new PublishError('EDITOR_CHANGED', note('topicNoSuggestion', { topic }));
    if (saved) {
      const res = await saved;
      if (!res) throw new PublishError('EDITOR_CHANGED', note('topicNotSaved', { topic }));
      if (!res.ok()) {
        const said = zhihuMessage(await res.text().catch(() => '')) ?? undefined;
        throw new PublishError('PUBLISH_REJECTED', note('topicRefused', { topic, status: res.status(), said }));
      }
    }
  }
}

export interface Settings {
  column?: { id: string; title?: string | undefined } | undefined;
  statement?: CreationStatement | undefined;
  commentPermission?: CommentPermission | undefined;
}

/** Picks the option of a `<select>` whose value or text matches; null when the control is missing, '' when no option matches. */
async function selectOption(page: Page, selector: string, match: { value?: string; text?: string; prefix?: boolean }): Promise<string | null> {
  return page.evaluate(
    (sel, m) => {
      const select = document.querySelector<HTMLSelectElement>(sel);
      if (!select) return null;
      // A label may carry a tail on the real page (a 2026 recipe reads 包含 AI 辅助创作 作者对内容负责).
      const texts = (o: HTMLOptionElement) => (m.prefix ? o.text.trim().startsWith(m.text ?? '') : o.text.trim() === m.text);
      const option = [...select.options].find((o) => (m.value !== undefined && o.value === m.value) || (m.text !== undefined && texts(o)));
      if (!option) return '';
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')?.set?.call(select, option.value);
      select.dispatchEvent(new Event('input', { bubbles: true }));
      select.dispatchEvent(new Event('change', { bubbles: true }));
      return select.value === option.value ? option.text.trim() : '';
    },
    selector,
    match,
  );
}

async function optionTexts(page: Page, selector: string): Promise<string> {
  return page.evaluate((sel) => [...(document.querySelector<HTMLSelectElement>(sel)?.options ?? [])].map((o) => o.text.trim()).join('、'), selector);
}

/**
 * Column, creation statement and comment permission, each only when the article asks for one: a
 * new article only for a non-default (the page starts at the defaults), an update for any value
 * it names (the page starts at what the article was published with).
 */
export async function chooseSettings(page: Page, settings: Settings, update = false): Promise<void> {
  const column = settings.column;
  if (column) {
    const chosen = await selectOption(page, SELECTORS.columnSelect, { value: column.id, ...(column.title ? { text: column.title } : {}) });
    if (chosen === null) throw new PublishError('EDITOR_CHANGED', note('controlMissing', { control: 'column', selector: SELECTORS.columnSelect }));
    if (chosen === '') {
      const offered = await optionTexts(page, SELECTORS.columnSelect);
      throw new PublishError('PUBLISH_REJECTED', note('columnNotOffered', { column: column.id, offered }), false, true);
    }
  }
  const statement = settings.statement && (update || settings.statement !== 'none') ? STATEMENT_LABELS[settings.statement] : null;
  if (statement) {
    const chosen = await selectOption(page, SELECTORS.statementSelect, { text: statement, prefix: true });
    if (!chosen) throw new PublishError('EDITOR_CHANGED', note('optionUnavailable', { control: 'statement', option: statement, selector: SELECTORS.statementSelect }));
  }
  const comment = settings.commentPermission && (update || settings.commentPermission !== 'anyone') ? COMMENT_LABELS[settings.commentPermission] : null;
  if (comment) {
    const chosen = await selectOption(page, SELECTORS.commentSelect, { text: comment, prefix: true });
    if (!chosen) throw new PublishError('EDITOR_CHANGED', note('optionUnavailable', { control: 'comment', option: comment, selector: SELECTORS.commentSelect }));
  }
}

/** The cover as the draft's `titleImage`, the way zhihu_obsidian sets it (`PATCH /api/articles/<id>/draft`). */
export async function setCover(page: Page, origins: Origins, draftId: string, url: string): Promise<void> {
  const res = await pageFetch(page, {
    url: origins.zhuanlan + PATHS.draft(draftId),
    method: 'PATCH',
    json: { titleImage: url, isTitleImageFullScreen: false, delta_time: 30 },
    zhihu: true,
  });
  if (res.status !== 200) {
    throw new PublishError('PUBLISH_REJECTED', note('coverRefused', { status: res.status, said: zhihuMessage(res.text) ?? undefined }));
  }
}
