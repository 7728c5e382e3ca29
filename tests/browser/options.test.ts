/**
 * A person in a real Chromium sets Zhihu's settings of an article: composes one with a column of
 * the account, an uploaded cover, a creation statement, a comment permission and a pasted image,
 * and finds them on the task's page; then submits a batch folder whose Markdown names images by
 * relative path and sets its options in front matter. No worker runs: what is checked is what
 * the app saved and shows (the worker's side is covered by the publishing suites).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, sha256 } from '../support/images';
import { launchForSpa, signUpWithSandboxAccount } from '../support/browser';
import { bootStack, type TestStack } from '../support/stack';

const COLUMNS = [
  { id: 'c_2001', title: '前端笔记' },
  { id: 'c_2002', title: '读书' },
];

let stack: TestStack;
let browser: Browser;
let page: Page;
let folder: string;

beforeAll(async () => {
  browser = await launchForSpa();
  stack = await bootStack({ workers: 0 });
  page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  folder = mkdtempSync(join(tmpdir(), 'zpub-batch-folder-'));
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

/** Whether the page shows the image at `src` (loaded, with real pixels). */
function imageShown(selector: string): Promise<boolean> {
  return page.locator(selector).first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);
}

async function storedTask(title: string): Promise<Record<string, unknown> | null> {
  return (await stack.db()).collection('tasks').findOne({ title });
}

describe('Zhihu settings in the SPA', () => {
  it('composes an article with a column, an uploaded cover, a statement, a comment permission and a pasted image', async () => {
    await signUpWithSandboxAccount(page, stack.urls.app, 'optsuser');

    // Before a login check has read the account's columns, the column is typed as an id.
    await page.getByTestId('nav-compose').click();
    await expect.poll(() => page.getByTestId('compose-column-id').isVisible()).toBe(true);
    // What the worker's login check writes when it reads the columns; the app shows them after a reload.
    await (await stack.db()).collection('accounts').updateOne({ name: 'optsuser' }, { $set: { columns: COLUMNS, state: 'active' } });
    await page.reload();
    await expect.poll(() => page.getByTestId('compose-column').isVisible()).toBe(true);
    await page.getByTestId('compose-column').selectOption({ label: '读书' });

    const title = `带设置的文章 ${Date.now()}`;
    await page.getByTestId('compose-title').fill(title);
    await page.getByTestId('compose-body').fill('第一段。\n\n');
    const pasted = png(24, 16, [220, 40, 40]);
    await page.getByTestId('compose-body').focus();
    await page.getByTestId('compose-body').evaluate((area: HTMLTextAreaElement, b64: string) => {
      area.setSelectionRange(area.value.length, area.value.length);
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, pasted.toString('base64'));
    const imagePath = `/assets/${sha256(pasted)}`;
    await expect.poll(() => page.getByTestId('compose-body').inputValue()).toBe(`第一段。\n\n![](${imagePath})`);
    await expect.poll(() => imageShown(`[data-testid="preview"] img[src="${imagePath}"]`)).toBe(true);

    const cover = png(64, 36, [30, 90, 200]);
    await page.getByTestId('compose-cover-upload').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: cover });
    const coverPath = `/assets/${sha256(cover)}`;
    await expect.poll(() => page.getByTestId('compose-cover').inputValue()).toBe(coverPath);
    await expect.poll(() => imageShown('[data-testid="compose-cover-preview"]')).toBe(true);
    await page.getByTestId('compose-statement').selectOption({ label: '虚构创作' });
    await page.getByTestId('compose-comment').selectOption({ label: '关闭评论' });
    await page.getByTestId('compose-publish').click();
    await expect.poll(() => page.getByTestId('compose-result').isVisible()).toBe(true);

    await page.getByTestId('compose-task-link').click();
    await expect.poll(() => page.getByTestId('detail-title').textContent()).toBe(title);
    await expect.poll(() => page.getByTestId('detail-column').getAttribute('data-value')).toBe('c_2002');
    expect(await page.getByTestId('detail-column').textContent()).toContain('读书');
    expect(await page.getByTestId('detail-cover').getAttribute('data-value')).toBe(coverPath);
    await expect.poll(() => imageShown('[data-testid="detail-cover"] img')).toBe(true);
    expect(await page.getByTestId('detail-statement').textContent()).toBe('虚构创作');
    expect(await page.getByTestId('detail-comment').textContent()).toBe('关闭评论');
    expect(await page.getByTestId('detail-content').textContent()).toBe(`第一段。\n\n![](${imagePath})`);
    await page.getByTestId('detail-toggle-preview').click();
    await expect.poll(() => imageShown(`[data-testid="preview"] img[src="${imagePath}"]`)).toBe(true);

    expect(await storedTask(title)).toMatchObject({ column: 'c_2002', cover: coverPath, statement: 'fictional_creation', commentPermission: 'nobody' });
  });

  it('submits a batch folder: relative images uploaded and rewritten, options from front matter, a missing image named', async () => {
    const images = { a: png(10, 10, [1, 150, 1]), b: png(12, 10, [150, 1, 1]), cover: png(40, 20, [1, 1, 150]) };
    mkdirSync(join(folder, 'notes', 'img'), { recursive: true });
    writeFileSync(join(folder, 'notes', 'img', 'a.png'), images.a);
    writeFileSync(join(folder, 'notes', 'b.png'), images.b);
    writeFileSync(join(folder, 'notes', 'img', 'cover.png'), images.cover);
    const stamp = Date.now();
    writeFileSync(
      join(folder, 'notes', 'post.md'),
      `---\ncolumn: 读书\ncover: img/cover.png\nstatement: 包含 AI 辅助创作\ncomment: 评论需审核\ntopics: [读书]\n---\n# 文件夹里的文章 ${stamp}\n\n![图一](img/a.png)\n\n![](./b.png "第二张")\n`,
    );
    writeFileSync(join(folder, 'notes', 'broken.md'), `# 缺图的文章 ${stamp}\n\n![](img/missing.png)\n`);

    await page.getByTestId('nav-batch').click();
    await page.getByTestId('batch-folder-input').setInputFiles(join(folder, 'notes'));
    await expect.poll(() => page.getByTestId('batch-item').count()).toBe(2);
    const good = page.getByTestId('batch-item').filter({ hasText: `文件夹里的文章 ${stamp}` });
    const broken = page.getByTestId('batch-item').filter({ hasText: `缺图的文章 ${stamp}` });
    expect(await good.getAttribute('data-ok')).toBe('true');
    expect(await good.getAttribute('data-source')).toBe('notes/post.md');
    expect(await broken.getAttribute('data-code')).toBe('IMAGE_MISSING');
    expect(await broken.getByTestId('batch-item-check').textContent()).toContain('img/missing.png');

    await page.getByTestId('batch-submit').click();
    await expect.poll(() => page.getByTestId('batch-result').getAttribute('data-created')).toBe('1');
    const taskId = await good.getByTestId('batch-item-result').getAttribute('data-task-id');
    expect(await broken.getAttribute('data-result')).toBe('');

    await page.goto(`${stack.urls.app}/tasks/${taskId}`);
    const url = (bytes: Buffer) => `/assets/${sha256(bytes)}`;
    await expect.poll(() => page.getByTestId('detail-content').textContent()).toBe(`![图一](${url(images.a)})\n\n![](${url(images.b)} "第二张")`);
    expect(await page.getByTestId('detail-column').getAttribute('data-value')).toBe('c_2002');
    expect(await page.getByTestId('detail-cover').getAttribute('data-value')).toBe(url(images.cover));
    await expect.poll(() => imageShown('[data-testid="detail-cover"] img')).toBe(true);
    expect(await page.getByTestId('detail-statement').getAttribute('data-value')).toBe('ai_creation');
    expect(await page.getByTestId('detail-comment').getAttribute('data-value')).toBe('censor');
    await page.getByTestId('detail-toggle-preview').click();
    await expect.poll(() => imageShown(`[data-testid="preview"] img[src="${url(images.b)}"]`)).toBe(true);
    expect(await storedTask(`缺图的文章 ${stamp}`)).toBeNull();
  });
});
