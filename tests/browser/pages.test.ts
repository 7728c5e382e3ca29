/**
 * Every page of the built SPA, with the data a person would have (tasks in every status, a failed
 * task with its screenshot, statistics, accounts, workers), at a desktop size and at a phone's
 * 390 x 844: axe-core's WCAG A/AA rules find nothing; on the phone no page scrolls sideways, the
 * header keeps sign-out in view, the filters fold behind one button and task rows are cards; the
 * throughput chart counts in hours for a day and in days for a week or a month, and none of its
 * labels overlap.
 */
import { join } from 'node:path';
import type { TaskEvent } from '@zpub/shared';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeFindings, drawnText, dropMarkdownFiles, launchForSpa, overlaps, recordCanvasText, sidewaysScroll, signedInContext } from '../support/browser';
import { User, type Recorder } from '../support/client';
import { waitFor } from '../support/sandbox';
import { bootStack, type TestStack } from '../support/stack';

const VIEWPORTS = [
  { name: 'desktop', phone: false, size: { width: 1280, height: 800 } },
  { name: 'phone', phone: true, size: { width: 390, height: 844 } },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

const DAY = 86_400_000;
/** Pages load chunks and data on a busy machine: waits are generous, never a verdict on speed. */
const SLOW = { timeout: 30_000 };
const LONG_TITLE = '一个很长的标题：在手机上也要能看清楚它的状态、进度和链接，不能把整页撑宽 ' + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

let stack: TestStack;
let browser: Browser;
let user: User;
let rec: Recorder;
const ids = {} as Record<'success' | 'captcha' | 'expired' | 'unconfirmed' | 'pending' | 'cancelled' | 'slow' | 'relay' | 'queued', string>;

const ended = (taskId: string) => (es: TaskEvent[]) => es.some((e) => e.taskId === taskId && ['success', 'failed', 'unconfirmed'].includes(e.status));

beforeAll(async () => {
  // Before the stack: says at once when the SPA is not built.
  browser = await launchForSpa();
  stack = await bootStack({ workers: 1 });
  user = await User.register(stack.urls.app);
  const writer = await user.sandboxAccount('writer');
  const captcha = await user.sandboxAccount('captcha');
  const unsure = await user.sandboxAccount('unsure');
  const expired = await user.sandboxAccount('expired');
  const slow = await user.sandboxAccount('slow');
  await stack.sandboxApi.fault({ kind: 'captcha', author: captcha.name });
  await stack.sandboxApi.fault({ kind: 'no-redirect', publish: false, author: unsure.name });
  await stack.sandboxApi.fault({ kind: 'login-expired', author: expired.name });
  // Accepted but never live: the worker watches for two minutes (REDIRECT_TIMEOUT_MS below) and
  // the task stays `running` meanwhile; a second one takes over for two more.
  await stack.sandboxApi.fault({ kind: 'no-redirect', publish: false, author: slow.name });
  rec = user.record();
  await rec.started;

  const create = async (accountId: string, title: string, extra: { scheduledAt?: string; priority?: 'low' } = {}) =>
    (await user.api.task.create.mutate({ accountId, title, content: `${title}的正文，**加粗**。\n\n- 一\n- 二`, topics: ['编程'], ...extra })).taskId;
  ids.success = await create(writer.id, LONG_TITLE);
  ids.captcha = await create(captcha.id, '遇到验证码的文章');
  ids.expired = await create(expired.id, '登录过期的文章');
  ids.unconfirmed = await create(unsure.id, '没能确认的文章');
  const tomorrow = new Date(Date.now() + DAY).toISOString();
  ids.pending = await create(writer.id, '明天定时发布', { scheduledAt: tomorrow });
  ids.cancelled = await create(writer.id, '取消了的文章', { scheduledAt: tomorrow });
  await user.api.task.cancel.mutate({ id: ids.cancelled });
  for (const id of [ids.success, ids.captcha, ids.expired, ids.unconfirmed]) await rec.until(ended(id), 180_000, `task ${id} to end`);

  // A worker with one slot, held by the slow tasks one after the other, so a task waits in the
  // queue behind them (low priority: after both) while the first tests run.
  await stack.workers[0]?.stop();
  await stack.addWorker({ WORKER_CONCURRENCY: '1', REDIRECT_TIMEOUT_MS: '120000', TASK_TIMEOUT_MS: '300000' });
  ids.slow = await create(slow.id, '正在发布的文章');
  await rec.until((es) => es.some((e) => e.taskId === ids.slow && e.stage === 'submitted'), 120_000, 'the slow task to submit');
  ids.relay = await create(slow.id, '接着发布的文章');
  ids.queued = await create(writer.id, '排队中的文章', { priority: 'low' });
  for (const id of [ids.relay, ids.queued]) await waitFor(async () => (await user.api.task.byId.query({ id })).status === 'queued', 'tasks queued behind the slow one', 30_000);
});

afterAll(async () => {
  rec?.stop();
  await browser?.close();
  await stack?.stop();
});

/** One tab per viewport, signed in, in Beijing time, recording what charts draw. */
async function open(vp: Viewport, signedIn = true): Promise<{ context: BrowserContext; page: Page }> {
  const options = { viewport: vp.size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...(vp.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) };
  const context = signedIn ? await signedInContext(browser, stack.urls.app, user.cookie, options) : await browser.newContext(options);
  await context.addInitScript(recordCanvasText);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/** What a person would run into on the page as it is now: axe findings, and on a phone sideways scrolling and a header cut off. */
async function problems(page: Page, vp: Viewport, where: string): Promise<string[]> {
  // ZPUB_SCREENSHOTS=<folder>: a picture of every page checked, to look at what was checked.
  const shots = process.env.ZPUB_SCREENSHOTS;
  if (shots) await page.screenshot({ path: join(shots, `${vp.name} ${where.replace(/[^\w<>?=-]+/g, '_')}.png`), fullPage: true });
  const out = (await axeFindings(page)).map((f) => `${vp.name} ${where}: axe ${f.rule} (${f.impact}) ${f.help}: ${f.targets.join('; ')}`);
  if (vp.phone) {
    const sideways = await sidewaysScroll(page);
    if (sideways) out.push(`${vp.name} ${where}: ${sideways}`);
    if (await page.getByTestId('logout').count()) {
      for (const id of ['logout', 'user-email', 'nav-tasks', 'nav-compose', 'nav-batch', 'nav-accounts', 'nav-stats', 'nav-workers', 'nav-tokens']) {
        const why = await outOfView(page, page.getByTestId(id));
        if (why) out.push(`${vp.name} ${where}: header ${id} ${why}`);
      }
    }
  }
  return out;
}

/** Why the element is not wholly on screen, or null when it is. */
async function outOfView(page: Page, el: Locator, within?: Locator): Promise<string | null> {
  if (!(await el.isVisible())) return 'is not visible';
  const box = await el.boundingBox();
  const size = page.viewportSize();
  if (!box || !size) return 'has no box';
  const frame = within ? await within.boundingBox() : { x: 0, y: 0, width: size.width, height: size.height };
  if (!frame) return 'has no frame';
  const fits = box.x >= frame.x - 0.5 && box.y >= frame.y - 0.5 && box.x + box.width <= frame.x + frame.width + 0.5 && box.y + box.height <= frame.y + frame.height + 0.5;
  return fits ? null : `is at ${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}x${Math.round(box.height)}, outside ${Math.round(frame.x)},${Math.round(frame.y)} ${Math.round(frame.width)}x${Math.round(frame.height)}`;
}

/** Runs `visit` in a fresh tab at each size in turn; what it found, at both. */
async function walk(visit: (page: Page, vp: Viewport, found: string[]) => Promise<void>, signedIn = true): Promise<string[]> {
  const found: string[] = [];
  for (const vp of VIEWPORTS) {
    const { context, page } = await open(vp, signedIn);
    try {
      await visit(page, vp, found);
    } finally {
      await context.close();
    }
  }
  return found;
}

const row = (page: Page, id: string) => page.locator(`[data-testid="task-row"][data-task-id="${id}"]`);

// Each test visits its pages at both sizes before the next starts: the slow task stays running
// for two minutes, and the pages that show it come first.
describe('every page, at 1280 x 800 and at 390 x 844', () => {
  it('the task list shows every status, each row with title, status, progress and link; the running task\'s page', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/tasks`);
      await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), SLOW).toBe('live');
      for (const [status, id] of Object.entries({ success: ids.success, failed: ids.captcha, unconfirmed: ids.unconfirmed, pending: ids.pending, cancelled: ids.cancelled, queued: ids.queued })) {
        await expect.poll(() => row(page, id).getAttribute('data-status'), SLOW).toBe(status);
      }
      const running = page.locator('[data-testid="task-row"][data-status="running"]');
      await expect.poll(() => running.count(), SLOW).toBe(1);
      const runningId = await running.getAttribute('data-task-id');
      expect([ids.slow, ids.relay]).toContain(runningId);
      out.push(...(await problems(page, vp, '/tasks')));
      // The first screen shows tasks, not just filters and buttons.
      const first = await outOfView(page, page.getByTestId('task-row').first());
      if (first) out.push(`${vp.name} /tasks: the first task ${first}`);

      for (const id of Object.values(ids)) {
        const r = row(page, id);
        await r.scrollIntoViewIfNeeded();
        const parts = [r.getByTestId('task-title'), r.getByTestId('task-status'), r.getByTestId('task-progress')];
        if (id === ids.success) parts.push(r.getByTestId('result-link'));
        if (id === ids.captcha) parts.push(r.getByTestId('task-error'));
        for (const part of parts) {
          const name = `${await r.getAttribute('data-status')} row's ${await part.getAttribute('data-testid')}`;
          const inRow = await outOfView(page, part, r);
          const onScreen = await outOfView(page, part);
          if (inRow) out.push(`${vp.name} /tasks: ${name} ${inRow} (its row)`);
          if (onScreen) out.push(`${vp.name} /tasks: ${name} ${onScreen} (the screen)`);
        }
      }

      const filters = page.getByTestId('task-filters');
      const toggle = page.getByTestId('filters-toggle');
      if (vp.phone) {
        // Folded behind one button; opened, they are all there and fit.
        expect(await filters.isVisible()).toBe(false);
        expect(await outOfView(page, toggle)).toBeNull();
        expect(await toggle.getAttribute('aria-expanded')).toBe('false');
        await toggle.click();
        expect(await toggle.getAttribute('aria-expanded')).toBe('true');
        await page.getByTestId('filter-status-failed').check();
        await expect.poll(() => page.getByTestId('task-row').count(), SLOW).toBe(2);
        out.push(...(await problems(page, vp, '/tasks with the filters open')));
        await toggle.click();
        expect(await filters.isVisible()).toBe(false);
        // The folded button says that a filter is on.
        expect(await toggle.textContent()).toContain('1');
      } else {
        expect(await toggle.isVisible()).toBe(false);
        expect(await filters.isVisible()).toBe(true);
      }

      // The running task's own page, while it runs.
      await page.goto(`${stack.urls.app}/tasks/${runningId}`);
      await expect.poll(() => page.getByTestId('detail-status').getAttribute('data-status'), SLOW).toBe('running');
      await expect.poll(() => page.getByTestId('timeline').getAttribute('data-count'), SLOW).not.toBe('0');
      out.push(...(await problems(page, vp, '/tasks/<running>')));
    });
    expect(found).toEqual([]);
  });

  it('task pages: failed with its screenshot, unconfirmed, scheduled, published', async () => {
    const found = await walk(async (page, vp, out) => {
      for (const id of [ids.captcha, ids.unconfirmed, ids.pending, ids.success]) {
        await page.goto(`${stack.urls.app}/tasks/${id}`);
        await page.getByTestId('detail-title').waitFor();
        await expect.poll(() => page.getByTestId('timeline').getAttribute('data-count'), SLOW).not.toBe('0');
        if (id === ids.captcha) {
          const shot = page.getByTestId('evidence-screenshot');
          await shot.scrollIntoViewIfNeeded();
          await expect.poll(() => shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), SLOW).toBe(true);
          expect(await page.getByTestId('task-error').getAttribute('data-code')).toBe('CAPTCHA_REQUIRED');
        }
        out.push(...(await problems(page, vp, `/tasks/<${await page.getByTestId('detail-status').getAttribute('data-status')}>`)));
        if (id === ids.success) {
          await page.getByTestId('detail-toggle-preview').click();
          await page.getByTestId('preview').waitFor();
          out.push(...(await problems(page, vp, '/tasks/<success> with the preview')));
        }
      }
    });
    expect(found).toEqual([]);
  });

  it('compose, with a preview and an error under a field', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/compose`);
      await page.getByTestId('compose-account').waitFor();
      out.push(...(await problems(page, vp, '/compose')));
      await page.getByTestId('compose-body').fill('# 小标题\n\n正文，带 **粗体** 和 `代码`。\n\n> 引用');
      await page.getByTestId('compose-topic-input').fill('编程');
      await page.getByTestId('compose-topic-add').click();
      await page.getByTestId('compose-publish').click();
      await page.getByTestId('compose-title-error').waitFor();
      await page.getByTestId('preview').waitFor();
      out.push(...(await problems(page, vp, '/compose with a preview and an error')));
    });
    expect(found).toEqual([]);
  });

  it('batch, with a good file and a bad one, sent', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/batch`);
      await page.getByTestId('batch-drop').waitFor();
      out.push(...(await problems(page, vp, '/batch')));
      const files = [
        { name: `good-${vp.name}.md`, text: `# 批量的一篇 ${vp.name}\n\n正文。` },
        { name: `bad-${vp.name}.md`, text: '' },
      ];
      await dropMarkdownFiles(page, 'batch-drop', files);
      await expect.poll(() => page.getByTestId('batch-item').count(), SLOW).toBe(2);
      out.push(...(await problems(page, vp, '/batch with two files')));
      await page.getByTestId('batch-submit').click();
      await expect.poll(() => page.getByTestId('batch-result').getAttribute('data-created'), SLOW).toBe('1');
      out.push(...(await problems(page, vp, '/batch sent')));
    });
    expect(found).toEqual([]);
  });

  it('accounts, one of them expired', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/accounts`);
      await expect.poll(() => page.getByTestId('account-row').count(), SLOW).toBe(5);
      expect(await page.locator('[data-testid="account-row"][data-state="expired"]').count()).toBe(1);
      out.push(...(await problems(page, vp, '/accounts')));
      await page.locator('[data-testid="account-row"]').first().getByTestId('account-remove').click();
      out.push(...(await problems(page, vp, '/accounts asking to confirm a removal')));
    });
    expect(found).toEqual([]);
  });

  it('API tokens, one of them just created and shown once', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/tokens`);
      await page.getByTestId('token-form').waitFor();
      out.push(...(await problems(page, vp, '/tokens')));
      await page.getByTestId('token-name').fill(`命令行 ${vp.name}`);
      await page.getByTestId('token-password').fill('correct horse battery');
      await page.getByTestId('token-create').click();
      await page.getByTestId('token-created').waitFor(SLOW);
      await expect.poll(() => page.getByTestId('token-row').count(), SLOW).toBeGreaterThan(0);
      out.push(...(await problems(page, vp, '/tokens with a new token')));
    });
    expect(found).toEqual([]);
  });

  it('workers', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/workers`);
      await expect.poll(() => page.locator('[data-testid="worker-row"][data-alive="true"]').count(), SLOW).toBe(1);
      out.push(...(await problems(page, vp, '/workers')));
    });
    expect(found).toEqual([]);
  });

  it('statistics: hours for a day, days for a week and a month, and no chart label on another', async () => {
    const found = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/stats`);
      await expect.poll(() => page.getByTestId('stats-total').textContent(), SLOW).not.toBe(null);
      out.push(...(await problems(page, vp, '/stats')));
      for (const [range, axisLabel] of [
        ['24h', /^(\d{2}:\d{2}|\d{1,2}\/\d{1,2})$/],
        ['7d', /^\d{1,2}\/\d{1,2}$/],
        ['30d', /^\d{1,2}\/\d{1,2}$/],
        ['365d', /^\d{1,2}\/\d{1,2}$/],
      ] as const) {
        await page.getByTestId('stats-range').selectOption(range);
        await expect.poll(() => page.getByTestId('chart-throughput').getAttribute('data-bucket'), SLOW).toBe(range === '24h' ? 'hour' : 'day');
        // The time axis: what a person reads under the chart (hours, or days).
        const timeLabels = async () => (await drawnText(page, '[data-testid="chart-throughput"]')).texts.filter((t) => /[:/]/.test(t.text));
        await expect.poll(async () => (await timeLabels()).length, SLOW).toBeGreaterThanOrEqual(range === '365d' ? 1 : 3);
        const drawn = await drawnText(page, '[data-testid="chart-throughput"]');
        const labels = await timeLabels();
        for (const l of labels) expect(l.text, `${range} axis label`).toMatch(axisLabel);
        if (range === '24h') expect(labels.some((l) => /:/.test(l.text))).toBe(true);
        for (const o of overlaps(drawn.texts)) out.push(`${vp.name} /stats ${range}: labels overlap: ${o}`);
        for (const t of drawn.texts) {
          if (t.left < -0.5 || t.right > drawn.width + 0.5 || t.top < -0.5 || t.bottom > drawn.height + 0.5) out.push(`${vp.name} /stats ${range}: label "${t.text}" is cut off by the chart's edge`);
        }
        out.push(...(await problems(page, vp, `/stats?range=${range}`)));
      }
      // Each failure reason with its count, readable.
      const reasons = page.getByTestId('stats-failures').locator('[data-code]');
      expect(await reasons.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')).sort())).toEqual(['CAPTCHA_REQUIRED', 'LOGIN_EXPIRED']);
    });
    expect(found).toEqual([]);
  });

  it('sign-in and register, with an error; a page that does not exist', async () => {
    const anonymous = await walk(
      async (page, vp, out) => {
        await page.goto(`${stack.urls.app}/login`);
        await page.getByTestId('auth-form').waitFor();
        out.push(...(await problems(page, vp, '/login')));
        await page.getByTestId('auth-email').fill(`nobody${Date.now()}@example.com`);
        await page.getByTestId('auth-password').fill('not the password');
        await page.getByTestId('auth-submit').click();
        await page.getByTestId('auth-error').waitFor();
        out.push(...(await problems(page, vp, '/login with a wrong password')));
        await page.getByTestId('auth-toggle').click();
        await page.getByTestId('auth-password').fill('short');
        await page.getByTestId('auth-submit').click();
        await page.getByTestId('auth-password-error').waitFor();
        out.push(...(await problems(page, vp, '/login?mode=register with a short password')));
      },
      false,
    );
    const signedIn = await walk(async (page, vp, out) => {
      await page.goto(`${stack.urls.app}/no/such/page`);
      await page.getByText('页面不存在').waitFor();
      out.push(...(await problems(page, vp, '/no/such/page')));
    });
    expect([...anonymous, ...signedIn]).toEqual([]);
  });
});
