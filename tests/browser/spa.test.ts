/**
 * A person in a real Chromium, using the built SPA against the real stack: signs up, adds a
 * sandbox account, publishes, watches the row climb to 100 % and follows the link; updates that
 * article in place from its task (更新文章); then drops three Markdown files on the batch screen
 * and sees all three published; then removes tasks from the list and from a task's page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropMarkdownFiles, launchForSpa, signUpWithSandboxAccount } from '../support/browser';
import { bootStack, type TestStack } from '../support/stack';

let stack: TestStack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchForSpa();
  stack = await bootStack({ workers: 1 });
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

// A name in Chinese, as people name their accounts: the sandbox takes it as the Zhihu name.
const ACCOUNT = '浏览器用户';
const row = (title: string) => page.getByTestId('task-row').filter({ hasText: title });

describe('the SPA', () => {
  it('signs up, adds a sandbox account named in Chinese, publishes, and shows the row reaching 100 % with the result link', async () => {
    await signUpWithSandboxAccount(page, stack.urls.app, ACCOUNT);

    await page.getByTestId('nav-compose').click();
    const title = `浏览器里发布 ${Date.now()}`;
    await page.getByTestId('compose-title').fill(title);
    await page.getByTestId('compose-body').fill('来自 **浏览器** 的正文。');
    await page.getByTestId('compose-publish').click();
    await expect.poll(() => page.getByTestId('compose-result').isVisible()).toBe(true);

    await page.getByTestId('nav-tasks').click();
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('live');
    await expect.poll(() => row(title).getAttribute('data-status'), { timeout: 90_000 }).toBe('success');
    expect(await row(title).getByTestId('task-progress').getAttribute('data-progress')).toBe('100');
    const link = row(title).getByTestId('result-link');
    const href = await link.getAttribute('href');
    expect(href).toMatch(new RegExp(`^${stack.urls.sandbox}/p/\\d{15,20}$`));
    const [article] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await article.waitForLoadState('domcontentloaded');
    expect(await article.locator('h1').first().textContent()).toBe(title);
    await article.close();
    expect(await stack.sandboxApi.articles(ACCOUNT)).toHaveLength(1);
  });

  it('updates the published article in place from its task (更新文章), and marks the new task as an update', async () => {
    await row('浏览器里发布').getByTestId('task-title').click();
    await expect.poll(() => page.getByTestId('detail-status').getAttribute('data-status')).toBe('success');
    const [published] = await stack.sandboxApi.articles(ACCOUNT);
    await page.getByTestId('detail-update').click();
    // The composer starts from the task, pointed at its article and locked to its account.
    await expect.poll(() => page.getByTestId('compose-update').getAttribute('data-article-id')).toBe(published?.id);
    expect(await page.getByTestId('compose-title').inputValue()).toBe(published?.title);
    expect(await page.getByTestId('compose-body').inputValue()).toBe('来自 **浏览器** 的正文。');
    expect(await page.getByTestId('compose-account').isDisabled()).toBe(true);
    expect(await page.getByTestId('compose-publish').textContent()).toBe('更新文章');
    const title = `更新后的标题 ${Date.now()}`;
    await page.getByTestId('compose-title').fill(title);
    await page.getByTestId('compose-body').fill('改过的 **正文**。');
    await page.getByTestId('compose-publish').click();
    await expect.poll(() => page.getByTestId('compose-result').isVisible()).toBe(true);

    await page.getByTestId('compose-task-link').click();
    await expect.poll(() => page.getByTestId('detail-kind').getAttribute('data-kind')).toBe('update');
    expect(await page.getByTestId('detail-kind').textContent()).toContain(published?.id);
    await expect.poll(() => page.getByTestId('detail-status').getAttribute('data-status'), { timeout: 90_000 }).toBe('success');
    expect(await page.getByTestId('result-link').getAttribute('href')).toBe(`${stack.urls.sandbox}/p/${published?.id}`);
    await page.getByTestId('nav-tasks').click();
    expect(await row(title).getByTestId('task-kind').getAttribute('data-kind')).toBe('update');
    const articles = await stack.sandboxApi.articles(ACCOUNT);
    expect(articles.map((a) => [a.id, a.title])).toEqual([[published?.id, title]]);
    expect(articles[0]?.versions).toHaveLength(2);
  });

  it('publishes a batch of three dropped Markdown files and shows all three at 100 %', async () => {
    await page.getByTestId('nav-batch').click();
    const stamp = Date.now();
    const files = [1, 2, 3].map((i) => ({
      name: `article-${i}.md`,
      text: `# 批量文件 ${i} ${stamp}\n\n第 ${i} 个文件的正文，带一个列表：\n\n- 甲\n- 乙\n`,
    }));
    await dropMarkdownFiles(page, 'batch-drop', files);
    await expect.poll(() => page.getByTestId('batch-item').count()).toBe(3);
    expect(await page.getByTestId('batch-summary').getAttribute('data-ok')).toBe('3');
    await page.getByTestId('batch-submit').click();
    await expect.poll(() => page.getByTestId('batch-result').getAttribute('data-created')).toBe('3');
    await page.getByTestId('nav-tasks').click();
    for (const i of [1, 2, 3]) {
      await expect.poll(() => row(`批量文件 ${i} ${stamp}`).getAttribute('data-status'), { timeout: 120_000 }).toBe('success');
      expect(await row(`批量文件 ${i} ${stamp}`).getByTestId('task-progress').getAttribute('data-progress')).toBe('100');
    }
    const titles = (await stack.sandboxApi.articles(ACCOUNT)).map((a) => a.title);
    expect(titles).toEqual(expect.arrayContaining([1, 2, 3].map((i) => `批量文件 ${i} ${stamp}`)));
  });

  it('removes tasks from the list and from the detail page; the published articles stay', async () => {
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(5);
    expect(await page.getByTestId('task-total').getAttribute('data-total')).toBe('5');
    const batchRows = page.getByTestId('task-row').filter({ hasText: /批量文件|更新后的标题/ });
    for (let i = 0; i < 4; i++) await batchRows.nth(i).getByTestId('task-select').check();
    expect(await page.getByTestId('selected-count').getAttribute('data-count')).toBe('4');
    await page.getByTestId('bulk-remove').click();
    // Nothing goes before the person confirms.
    await expect.poll(() => page.getByTestId('confirm-remove').isVisible()).toBe(true);
    expect(await page.getByTestId('task-row').count()).toBe(5);
    await page.getByTestId('confirm-remove-yes').click();
    await expect.poll(() => page.getByTestId('bulk-result').getAttribute('data-changed')).toBe('4');
    await expect.poll(() => page.getByTestId('task-row').count()).toBe(1);
    expect(await page.getByTestId('task-total').getAttribute('data-total')).toBe('1');

    const last = page.getByTestId('task-row').first();
    const lastId = await last.getAttribute('data-task-id');
    await last.getByTestId('task-title').click();
    await expect.poll(() => page.getByTestId('detail-title').isVisible()).toBe(true);
    await page.getByTestId('detail-remove').click();
    await page.getByTestId('detail-remove-yes').click();
    await expect.poll(() => page.url()).toMatch(/\/tasks$/);
    await expect.poll(() => page.getByTestId('task-empty').isVisible()).toBe(true);
    await page.reload();
    await expect.poll(() => page.getByTestId('task-empty').isVisible()).toBe(true);
    await page.goto(`${stack.urls.app}/tasks/${lastId}`);
    await expect.poll(() => page.getByTestId('detail-missing').isVisible()).toBe(true);
    // Only the records went: the four articles are still on the (sandbox) site.
    expect(await stack.sandboxApi.articles(ACCOUNT)).toHaveLength(4);
  });
});
