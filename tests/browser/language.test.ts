/**
 * One language per screen. Tasks end every way a user meets (published, refused by Zhihu in its
 * own Chinese words, retried by the publisher and by hand, cancelled, handed back by a stopping
 * worker, unconfirmed, one whose timeline was stored before notes existed); then a real Chromium
 * walks every page of the built SPA in Chinese and in English and finds no sentence of the other
 * language outside data.
 *
 * The rule (packages/shared/src/language-rule.ts): in Chinese, no run of three or more Latin-script
 * words; in English, no Chinese character. Data is what sits inside `translate="no"` (titles,
 * names, emails, addresses, ids, Zhihu's words, raw error text); attribute values and `<option>`
 * texts, which cannot hold markup, are checked with the data values this walk knows taken out.
 */
import type { TaskEvent } from '@zpub/shared';
import { hanRuns, latinSentences } from '@zpub/shared';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchForSpa } from '../support/browser';
import { User, type Recorder } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';

let stack: TestStack;
let browser: Browser;
let page: Page;
let user: User;
let rec: Recorder;

const EMAIL = `walker${Date.now()}@example.com`;
const PASSWORD = 'a long enough password';
const ACCOUNT = 'walker';
/** A token name of Latin words: data, so never an English sentence on the Chinese page. */
const TOKEN = 'my build server';
/** Zhihu's own refusal, which the screens must quote, not translate. */
const PHONE_REFUSAL = '根据国家法律法规要求，发布内容前需要绑定手机号。';

/** Every task of the walk by what happened to it. */
const tasks: Record<string, { id: string; title: string }> = {};

beforeAll(async () => {
  browser = await launchForSpa();
  // A short grace: the stopping worker hands its task back at once.
  stack = await bootStack({ workers: 1, workerEnv: { SHUTDOWN_GRACE_MS: '3000' } });
  page = await browser.newPage({ viewport: { width: 1280, height: 1800 } });
  page.setDefaultTimeout(30_000);
  user = await User.register(stack.urls.app, EMAIL, PASSWORD);
  await user.sandboxAccount(ACCOUNT);
  rec = user.record();
  await rec.started;
});

afterAll(async () => {
  rec?.stop();
  await browser?.close();
  await stack?.stop();
});

async function accountId(): Promise<string> {
  const [account] = await user.api.account.list.query();
  if (!account) throw new Error('no account');
  return account.id;
}

async function create(
  key: string,
  title: string,
  extra: { content?: string; topics?: string[]; scheduledAt?: string; articleId?: string; mode?: 'publish' | 'draft' } = {},
): Promise<string> {
  const { taskId } = await user.api.task.create.mutate({
    accountId: await accountId(),
    title,
    content: extra.content ?? `${title} 的正文。`,
    topics: extra.topics ?? [],
    ...(extra.scheduledAt ? { scheduledAt: extra.scheduledAt } : {}),
    ...(extra.articleId ? { articleId: extra.articleId } : {}),
    ...(extra.mode ? { mode: extra.mode } : {}),
  });
  tasks[key] = { id: taskId, title };
  return taskId;
}

const ended = (e: TaskEvent) => ['success', 'failed', 'cancelled', 'unconfirmed'].includes(e.status);

async function settled(id: string, status: string, attempt = 1): Promise<void> {
  await rec.until((es) => es.some((e) => e.taskId === id && ended(e) && e.attempt === attempt), 150_000, `task ${id} attempt ${attempt} to end`);
  const last = rec.of(id).filter(ended).at(-1);
  expect(last?.status, `${id}: ${JSON.stringify(last)}`).toBe(status);
}

/** Publishes one task with the sandbox faults given and waits for its end (faults are taken by the next publish). */
async function publish(key: string, title: string, status: string, opts: { faults?: object[]; content?: string; attempt?: number } = {}): Promise<string> {
  for (const f of opts.faults ?? []) await stack.sandboxApi.fault(f as Parameters<TestStack['sandboxApi']['fault']>[0]);
  const id = await create(key, title, { topics: ['读书'], ...(opts.content ? { content: opts.content } : {}) });
  await settled(id, status, opts.attempt ?? 1);
  return id;
}

interface Seen {
  kind: 'text' | 'attr' | 'option';
  text: string;
  where: string;
}

/**
 * The texts of the page a reader meets outside data, grouped by the block they sit in (a data
 * element in between breaks a run), and the data texts it shows.
 */
async function pageTexts(): Promise<{ texts: Seen[]; data: string[] }> {
  return page.evaluate(() => {
    const BREAK = ' · ';
    const data = new Set<string>();
    for (const el of document.querySelectorAll('[translate="no"]')) {
      const s = (el.textContent ?? '').trim();
      if (s) data.add(s);
    }
    const where = (el: Element) => el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.tagName.toLowerCase();
    const blockOf = (el: Element): Element => {
      for (let e: Element | null = el; e; e = e.parentElement) {
        const display = getComputedStyle(e).display;
        if (e.tagName === 'OPTION' || !display.startsWith('inline') || display === 'inline-block') return e;
      }
      return document.body;
    };
    const blocks = new Map<Element, { text: string; where: string; option: boolean }>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('script, style, textarea')) continue;
      const block = blockOf(el);
      const entry = blocks.get(block) ?? { text: '', where: where(block), option: block.tagName === 'OPTION' };
      entry.text += el.closest('[translate="no"]') ? BREAK : (n.textContent ?? '');
      blocks.set(block, entry);
    }
    const texts: { kind: 'text' | 'attr' | 'option'; text: string; where: string }[] = [...blocks.values()]
      .filter((b) => b.text.replaceAll(BREAK, '').trim() !== '')
      .map((b) => ({ kind: b.option ? 'option' : 'text', text: b.text, where: b.where }));
    const ATTRS = ['title', 'aria-label', 'placeholder', 'alt', 'aria-valuetext'];
    for (const el of document.querySelectorAll(ATTRS.map((a) => `[${a}]`).join(','))) {
      if (el.closest('[translate="no"]')) continue;
      for (const name of ATTRS) {
        const v = el.getAttribute(name);
        if (v) texts.push({ kind: 'attr', text: v, where: `${where(el)}@${name}` });
      }
    }
    texts.push({ kind: 'attr', text: document.title, where: 'document.title' });
    return { texts, data: [...data] };
  });
}

/** Values this walk created: they are data wherever they appear. */
const knownData = () => [EMAIL, ACCOUNT, TOKEN, ...Object.values(tasks).map((t) => t.title)];

/** What on the current page is in the other language, outside data. */
async function offLanguage(lang: 'zh-CN' | 'en'): Promise<string[]> {
  const { texts, data } = await pageTexts();
  const values = [...new Set([...knownData(), ...data])].filter((v) => v.length > 1).sort((a, b) => b.length - a.length);
  const rule = lang === 'zh-CN' ? latinSentences : hanRuns;
  return texts.flatMap((t) => {
    const text = t.kind === 'text' ? t.text : values.reduce((s, v) => s.split(v).join(' · '), t.text);
    return rule(text).map((found) => `${t.where}: "${found}" in "${t.text.trim().slice(0, 300)}"`);
  });
}

async function expectOneLanguage(lang: 'zh-CN' | 'en', what: string): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
  expect(await offLanguage(lang), `${what} in ${lang}`).toEqual([]);
}

async function signIn(password: string): Promise<void> {
  await page.goto(`${stack.urls.app}/login`);
  await page.getByTestId('auth-email').fill(EMAIL);
  await page.getByTestId('auth-password').fill(password);
  await page.getByTestId('auth-submit').click();
}

async function openTask(id: string): Promise<void> {
  await page.goto(`${stack.urls.app}/tasks/${id}`);
  await expect.poll(() => page.getByTestId('timeline').getAttribute('data-count')).not.toBe('0');
}

const notes = () => page.getByTestId('timeline-note').evaluateAll((els) => els.map((e) => e.getAttribute('data-note')));

async function dropFiles(files: { name: string; text: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: f.name.endsWith('.md') ? 'text/markdown' : 'text/plain' }));
    return dt;
  }, files);
  await page.getByTestId('batch-drop').dispatchEvent('dragover', { dataTransfer });
  await page.getByTestId('batch-drop').dispatchEvent('drop', { dataTransfer });
}

/** The pages every language walk visits, each checked once it shows what it is there for. */
async function walk(lang: 'zh-CN' | 'en'): Promise<void> {
  await page.goto(`${stack.urls.app}/tasks`);
  await expect.poll(() => page.getByTestId('task-row').count()).toBe(Object.keys(tasks).length);
  await expect.poll(() => page.getByTestId('task-error').count()).toBeGreaterThanOrEqual(3);
  await expectOneLanguage(lang, 'the task list');

  for (const [key, task] of Object.entries(tasks)) {
    await openTask(task.id);
    await expectOneLanguage(lang, `the detail page of the ${key} task`);
  }

  await page.goto(`${stack.urls.app}/accounts`);
  await page.getByTestId('account-verify').click();
  await expect.poll(() => page.getByTestId('account-notice').isVisible(), { timeout: 60_000 }).toBe(true);
  await expectOneLanguage(lang, 'the accounts page with a notice');

  // A token refused for a wrong password, created (shown once, with its command), then revoked.
  await page.goto(`${stack.urls.app}/tokens`);
  await page.getByTestId('token-name').fill(TOKEN);
  await page.getByTestId('token-password').fill('not the password at all');
  await page.getByTestId('token-create').click();
  await expect.poll(() => page.getByTestId('token-password-error').isVisible()).toBe(true);
  await expectOneLanguage(lang, 'the tokens page after a wrong password');
  await page.getByTestId('token-password').fill(PASSWORD);
  await page.getByTestId('token-create').click();
  await expect.poll(() => page.getByTestId('token-created').isVisible()).toBe(true);
  await expect.poll(() => page.getByTestId('token-row').count()).toBe(1);
  await expectOneLanguage(lang, 'the tokens page with a new token');
  await page.getByTestId('token-revoke').click();
  await page.getByTestId('token-revoke-confirm').click();
  await expect.poll(() => page.getByTestId('token-notice').isVisible()).toBe(true);
  await expect.poll(() => page.getByTestId('tokens-empty').isVisible()).toBe(true);
  await expectOneLanguage(lang, 'the tokens page after a revoke');

  await page.goto(`${stack.urls.app}/stats`);
  await expect.poll(() => page.getByTestId('stats-failures').isVisible()).toBe(true);
  await expectOneLanguage(lang, 'the statistics page');

  await page.goto(`${stack.urls.app}/workers`);
  await expect.poll(() => page.getByTestId('worker-row').count()).toBeGreaterThan(0);
  await expectOneLanguage(lang, 'the workers page');

  await page.goto(`${stack.urls.app}/compose`);
  await page.getByTestId('compose-publish').click();
  await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThan(0);
  await expectOneLanguage(lang, 'the compose page with field errors');

  await page.goto(`${stack.urls.app}/batch`);
  await dropFiles([
    { name: 'good.md', text: '# A good article\n\n正文。' },
    { name: 'untitled.md', text: 'No title line at all, only a body of text.' },
    { name: 'statement.md', text: '---\nstatement: 原创声明\n---\n# With a bad statement\n\n正文。' },
    { name: 'cover.psd', text: 'not an article' },
  ]);
  await expect.poll(() => page.getByTestId('batch-item').count()).toBe(3);
  await expect.poll(() => page.getByTestId('batch-file-errors').isVisible()).toBe(true);
  expect(await page.locator('[data-testid="batch-item"][data-ok="false"]').count()).toBe(2);
  await expectOneLanguage(lang, 'the batch page with rejected files');
}

describe('one language per screen', () => {
  it('makes tasks that end every way a user can meet', async () => {
    const ok = await publish('published', 'Notes on the Rust borrow checker', 'success');
    expect(rec.of(ok).map((e) => e.note?.code)).toEqual(expect.arrayContaining(['claimed', 'loggedIn', 'editorFilled', 'publishClicked', 'provenOnPage']));

    // Its article updated in place, a new one saved as a draft only, and an update of an article Zhihu does not have.
    const articleId = rec.of(ok).find((e) => e.result)?.result?.articleId ?? '';
    expect(articleId).toMatch(/^\d{15,20}$/);
    const updated = await create('updated', 'Notes on the Rust borrow checker, revised', { topics: ['读书'], articleId, content: '修订后的正文，多了一段。' });
    await settled(updated, 'success');
    expect(rec.of(updated).at(-1)).toMatchObject({ stage: 'updated', note: { code: 'provenOnPage', params: { update: true } } });
    expect(rec.of(updated).find((e) => e.note?.code === 'editorFilled')?.note?.params).toMatchObject({ articleId });
    expect(rec.of(updated).find((e) => e.note?.code === 'publishClicked')?.note?.params).toEqual({ articleId });
    const drafted = await create('drafted', 'A draft kept for another day', { topics: ['读书'], mode: 'draft' });
    await settled(drafted, 'success');
    expect(rec.of(drafted).at(-1)).toMatchObject({ stage: 'drafted', note: { code: 'drafted', params: { holds: expect.arrayContaining(['title', 'body']) } } });
    const missing = await create('missingArticle', 'An update of an article nobody wrote', { articleId: '999999999999999999' });
    await settled(missing, 'failed');
    expect(rec.of(missing).at(-1)?.error).toMatchObject({ code: 'ARTICLE_NOT_FOUND', retryable: false, detail: { code: 'articleMissing', params: { articleId: '999999999999999999' } } });

    const phone = await publish('refused', '绑定手机号之前的文章', 'failed', { faults: [{ kind: 'phone-binding', times: 1 }] });
    expect(rec.of(phone).at(-1)?.error).toMatchObject({ code: 'PHONE_BINDING_REQUIRED', detail: { code: 'refused', params: { said: PHONE_REFUSAL, zhihuCode: 4031 } } });

    const toast = await publish('retried', 'Published after one refusal', 'success', { faults: [{ kind: 'toast-error', times: 1 }], attempt: 2 });
    expect(rec.of(toast).find((e) => e.stage === 'retrying')?.error).toMatchObject({ code: 'PUBLISH_REJECTED', detail: { code: 'refused' } });

    await publish('editorChanged', '编辑器改版那天', 'failed', { faults: [{ kind: 'editor-changed', times: 1 }] });
    await publish('unconfirmed', '风控之后不知道发没发', 'unconfirmed', { faults: [{ kind: 'risk-after-publish', publish: false, times: 1 }] });

    // A picture Zhihu cannot fetch: retried by the publisher, then failed with nothing published.
    const picture = 'http://127.0.0.1:9/gone.png';
    const image = await publish('image', 'A picture from a server that is gone', 'failed', { content: `正文 ![图](${picture}) 完`, attempt: 3 });
    expect(rec.of(image).at(-1)?.error).toMatchObject({ code: 'IMAGE_UPLOAD_FAILED', detail: { code: 'imageRehostRefused', params: { image: picture, status: 400 } } });

    // Retried by hand after Zhihu's editor came back.
    const changed = tasks.editorChanged?.id ?? '';
    await user.api.task.retry.mutate({ id: changed });
    await settled(changed, 'success', 2);

    // Scheduled, moved, then cancelled by the user (on its page, below).
    const later = new Date(Date.now() + 24 * 3600_000);
    const scheduled = await create('cancelled', '明天再发的文章', { scheduledAt: later.toISOString() });
    await user.api.task.reschedule.mutate({ id: scheduled, scheduledAt: new Date(later.getTime() + 3600_000).toISOString() });

    // Handed back by a worker that stops while the editor page loads, then published by another.
    await stack.sandboxApi.fault({ kind: 'slow-page', ms: 12_000, times: 1 });
    const handed = await create('requeued', 'A task a stopping worker handed back', { topics: ['读书'] });
    await rec.until((es) => es.some((e) => e.taskId === handed && e.stage === 'login'), 60_000, 'the handed-back task to log in');
    const [first] = stack.workers;
    await first?.stop({ graceMs: 15_000 });
    await rec.until((es) => es.some((e) => e.taskId === handed && e.stage === 'requeued' && e.note?.code === 'handedBack'), 30_000, 'the hand-back');
    await stack.addWorker({ SHUTDOWN_GRACE_MS: '3000' });
    await settled(handed, 'success', 2);

    // A timeline stored before notes existed: English messages only.
    const db = await stack.db();
    const timelines = db.collection<{ _id: Types.ObjectId; events: Record<string, unknown>[] }>('task_timelines');
    const legacyId = tasks.refused?.id ?? '';
    const stored = await timelines.findOne({ _id: new Types.ObjectId(legacyId) });
    expect(stored?.events.some((e) => e.note)).toBe(true);
    const withoutDetail = (error: object) => Object.fromEntries(Object.entries(error).filter(([k]) => k !== 'detail'));
    const legacy = (stored?.events ?? []).map(({ note: _note, ...e }) => (e.error ? { ...e, error: withoutDetail(e.error as object) } : e));
    await timelines.updateOne({ _id: new Types.ObjectId(legacyId) }, { $set: { events: legacy } });
  });

  it('walks every page in Chinese without an English sentence outside data', async () => {
    // The walk can fail: a sentence outside data is found, the same inside data is not.
    await page.goto(`${stack.urls.app}/login`);
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<p>the public page says published</p><p translate="no">a title that is data</p>');
    });
    expect(await offLanguage('zh-CN')).toEqual([expect.stringContaining('the public page says published')]);

    await signIn('not the password at all');
    await expect.poll(() => page.getByTestId('auth-error').isVisible()).toBe(true);
    await expectOneLanguage('zh-CN', 'the sign-in page after a wrong password');
    await signIn(PASSWORD);
    await expect.poll(() => page.getByTestId('user-email').isVisible()).toBe(true);

    await walk('zh-CN');

    // Zhihu's words are quoted as they are, marked as data.
    await openTask(tasks.refused?.id ?? '');
    // Zhihu's words reach the error box from the task's error even when its timeline is an old one.
    const said = page.getByTestId('task-error-detail').locator('[translate="no"]', { hasText: PHONE_REFUSAL });
    expect(await said.count()).toBe(1);
    await openTask(tasks.retried?.id ?? '');
    expect(await page.locator('.ev-error [translate="no"]', { hasText: '发布失败，请稍后重试' }).count()).toBe(1);
    // The notes each task's page shows, by code.
    await openTask(tasks.published?.id ?? '');
    expect(await notes()).toEqual(expect.arrayContaining(['claimed', 'loggedIn', 'editorFilled', 'publishClicked', 'pageReached', 'provenOnPage']));
    await openTask(tasks.updated?.id ?? '');
    expect(await notes()).toEqual(expect.arrayContaining(['editorFilled', 'publishClicked', 'provenOnPage']));
    await openTask(tasks.drafted?.id ?? '');
    expect(await notes()).toEqual(expect.arrayContaining(['editorFilled', 'drafted']));
    expect(await notes()).not.toContain('publishClicked');
    await openTask(tasks.requeued?.id ?? '');
    expect(await notes()).toEqual(expect.arrayContaining(['handedBack', 'claimed']));
    await openTask(tasks.editorChanged?.id ?? '');
    expect(await notes()).toContain('retryRequested');
    // The stored timeline without notes shows its stages and errors, and no English.
    await openTask(tasks.refused?.id ?? '');
    expect(await notes()).toEqual([]);
    expect(await page.getByTestId('timeline-event').count()).toBeGreaterThanOrEqual(4);

    // The user cancels on the task's page; the notice and the timeline say so.
    await openTask(tasks.cancelled?.id ?? '');
    expect(await notes()).toEqual(['scheduled']);
    await page.getByTestId('detail-cancel').click();
    await expect.poll(() => page.getByTestId('detail-notice').isVisible()).toBe(true);
    await expect.poll(() => notes()).toEqual(['scheduled', 'cancelledByUser']);
    await expectOneLanguage('zh-CN', 'a task page after cancelling');

    // Cancelling tasks that ended already: the skipped ones and why.
    await page.goto(`${stack.urls.app}/tasks`);
    for (const key of ['published', 'cancelled']) {
      await page.locator(`[data-testid="task-row"][data-task-id="${tasks[key]?.id}"]`).getByTestId('task-select').check();
    }
    await page.getByTestId('bulk-cancel').click();
    await expect.poll(() => page.getByTestId('bulk-result').getAttribute('data-skipped')).toBe('2');
    await expectOneLanguage('zh-CN', 'the task list after a bulk cancel');
  });

  it('walks every page in English without Chinese outside data', async () => {
    await page.evaluate(() => localStorage.setItem('zpub.lang', 'en'));
    await walk('en');
    // The stored timeline's English messages are shown in English only.
    await openTask(tasks.refused?.id ?? '');
    expect(await page.locator('[data-note="legacy"]').count()).toBeGreaterThan(0);
    await page.getByTestId('logout').click();
    // Signed out once the server said so and the sign-in page shows: navigating away before that
    // cancels the sign-out request, the session stays, and /login leads back to the tasks.
    await expect.poll(() => page.getByTestId('auth-email').isVisible()).toBe(true);
    await signIn('not the password at all');
    await expect.poll(() => page.getByTestId('auth-error').isVisible()).toBe(true);
    await expectOneLanguage('en', 'the sign-in page after a wrong password');
  });
});
