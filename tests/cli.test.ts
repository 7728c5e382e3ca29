/**
 * The `zpub` CLI as a person uses it, run as a child process against the real stack (server,
 * worker, Chromium, the sandbox): a token made on the SPA's API tokens page, `zpub login`,
 * a folder published with --wait and the front matter written back, a second run after an edit,
 * a bad front matter, status/cancel/retry, and tokens that are wrong or revoked.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@zpub/devstack';
import { latinSentences } from '@zpub/shared';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchForSpa } from './support/browser';
import { User } from './support/client';
import { PNG, md5 } from './support/images';
import { bootStack, type TestStack } from './support/stack';

const CLI = join(repoRoot(), 'packages/cli/dist/main.js');
const PASSWORD = 'correct horse battery';

let stack: TestStack;
let browser: Browser;
let page: Page;
let user: User;
let account: { id: string; name: string };
/** HOME and XDG_CONFIG_HOME of the person running the CLI. */
let home: string;
let token = '';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `zpub` as a person would: its own process, a clean environment, a working folder. In
 * English (ZPUB_LANG=en) unless the test says otherwise: 'in Chinese' checks the other language.
 */
function zpub(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? home,
      env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1', ZPUB_LANG: 'en', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** The front matter of a file, as YAML reads it (ids as text: they pass 2^53). */
async function frontMatter(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  return m?.[1] ? (parse(m[1], { intAsBigInt: true }) as Record<string, unknown>) : {};
}

beforeAll(async () => {
  stack = await bootStack({ workers: 1 });
  home = await mkdtemp(join(tmpdir(), 'zpub-cli-home-'));
  user = await User.register(stack.urls.app, `cli${Date.now()}@example.com`, PASSWORD);
  account = await user.sandboxAccount(`cli${Date.now().toString(36)}`);
  browser = await launchForSpa();
  const context = await browser.newContext();
  const [name = '', value = ''] = user.cookie.split('=');
  await context.addCookies([{ name, value, url: stack.urls.app }]);
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('a token from the API tokens page, and zpub login', () => {
  it('shows the new token once; zpub login checks it and keeps it in a 0600 file under XDG_CONFIG_HOME', async () => {
    await page.goto(`${stack.urls.app}/tokens`);
    await page.getByTestId('token-name').fill('我的命令行');
    await page.getByTestId('token-password').fill('not my password');
    await page.getByTestId('token-create').click();
    await expect.poll(() => page.getByTestId('token-password-error').textContent()).toBe('密码错误');
    await page.getByTestId('token-password').fill(PASSWORD);
    await page.getByTestId('token-create').click();
    await expect.poll(() => page.getByTestId('token-created').isVisible()).toBe(true);
    token = await page.getByTestId('token-secret').inputValue();
    expect(token).toMatch(/^zpub_[A-Za-z0-9_-]{43}$/);
    expect(await page.getByTestId('token-command').textContent()).toContain(`--server ${stack.urls.app} --token ${token}`);
    await expect.poll(() => page.getByTestId('token-row').count()).toBe(1);
    expect(await page.getByTestId('token-last-used').textContent()).toBe('从未使用');

    // Shown once: after a reload the page holds the name, not the secret.
    await page.reload();
    await expect.poll(() => page.getByTestId('token-row').count()).toBe(1);
    expect(await page.getByTestId('token-created').count()).toBe(0);
    expect(await page.content()).not.toContain(token);

    const login = await zpub(['login', '--server', stack.urls.app, '--token', '-'], { input: `${token}\n` });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${stack.urls.app} as cli`);
    const file = join(home, '.config', 'zpub', 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ server: stack.urls.app, token });

    const accounts = await zpub(['accounts']);
    expect(accounts.code).toBe(0);
    expect(accounts.stdout).toMatch(new RegExp(`^${account.name}\\s+sandbox\\s+`, 'm'));
    await page.reload();
    await expect.poll(() => page.getByTestId('token-last-used').textContent()).not.toBe('从未使用');
  });
});

describe('zpub publish', () => {
  let folder: string;
  const titles = [1, 2, 3].map((i) => `命令行文章 ${i} ${Date.now()}`);
  const files = () => [1, 2, 3].map((i) => join(folder, `article-${i}.md`));

  it('publishes a folder of three files with --wait: exit 0, each file names its live article', async () => {
    folder = join(home, 'column');
    await mkdir(join(folder, 'img'), { recursive: true });
    await writeFile(join(folder, 'img', 'blue.png'), PNG.blue);
    await writeFile(files()[0] ?? '', `---\ntopics: [编程]\n# notes of mine stay\n---\n\n# ${titles[0]}\n\n第一篇，带一张本地图片：\n\n![蓝](img/blue.png)\n`);
    await writeFile(files()[1] ?? '', `---\ntitle: ${titles[1]}\ntags:\n  - 写作\n评论: 关闭评论\n---\n第二篇的正文。\n`);
    await writeFile(files()[2] ?? '', `# ${titles[2]}\n\n第三篇，没有 front matter。\n`);
    await writeFile(join(folder, 'notes.txt'), 'not an article');

    const run = await zpub(['publish', 'column', '--account', account.name, '--wait']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/batch [a-f0-9]{24}: 3 article\(s\) submitted/);
    expect(run.stdout).toContain('3 published, 0 unchanged');
    for (const f of ['article-1.md', 'article-2.md', 'article-3.md']) expect(run.stdout).toMatch(new RegExp(`100%  published  column/${f} \\(verified\\)  ${stack.urls.sandbox}/p/\\d{15,20}`));

    const published = await stack.sandboxApi.articles(account.name);
    expect(published.map((a) => a.title).sort()).toEqual([...titles].sort());
    for (const [i, file] of files().entries()) {
      const fm = await frontMatter(file);
      const article = published.find((a) => a.title === titles[i]);
      expect(fm['zhihu-id'], file).toBe(article?.id);
      expect(fm['zhihu-link'], file).toBe(`${stack.urls.sandbox}/p/${article?.id}`);
      expect(fm['zpub-hash'], file).toMatch(/^[a-f0-9]{20}$/);
      expect(fm['zpub-task'], file).toBeUndefined();
    }
    // Written back beside what was there: the comment, the topics, the Chinese key, the body.
    const firstText = await readFile(files()[0] ?? '', 'utf8');
    expect(firstText).toMatch(/^---\ntopics: \[编程\]\n/);
    expect(firstText).toContain('# notes of mine stay\n---\n');
    expect(firstText.endsWith(`---\n\n# ${titles[0]}\n\n第一篇，带一张本地图片：\n\n![蓝](img/blue.png)\n`)).toBe(true);
    expect((await frontMatter(files()[1] ?? ''))['评论']).toBe('关闭评论');
    // The local image was uploaded, then re-hosted by the worker before publishing.
    const first = published.find((a) => a.title === titles[0]);
    const src = /<img [^>]*src="([^"]+)"/.exec(first?.html ?? '')?.[1];
    expect(src).toBe(`${stack.urls.sandbox}/v2-${md5(PNG.blue)}.png`);
    expect(first?.topics).toEqual(['编程']);
  });

  let before: Buffer[] = [];
  let editedTaskId = '';
  let originalId = '';

  it('runs again after one file was edited: the other two are skipped untouched, the edited one is sent with its article id', async () => {
    before = await Promise.all(files().map((f) => readFile(f)));
    originalId = String((await frontMatter(files()[1] ?? ''))['zhihu-id']);
    const tasksBefore = (await user.api.task.list.query({})).total;
    await writeFile(files()[1] ?? '', `${before[1]?.toString()}\n补充的一段：第二次发布。\n`);

    const run = await zpub(['publish', join(folder, '..', 'column'), '--account', account.name, '--wait']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/= column\/article-1\.md: unchanged since it was published/);
    expect(run.stdout).toMatch(/= column\/article-3\.md: unchanged since it was published/);
    expect(run.stdout).toMatch(/batch [a-f0-9]{24}: 1 article\(s\) submitted/);
    expect(run.stdout).toContain('1 published, 2 unchanged');

    // The two unchanged files were not even rewritten, and no task was made for them.
    expect(await readFile(files()[0] ?? '')).toEqual(before[0]);
    expect(await readFile(files()[2] ?? '')).toEqual(before[2]);
    const list = await user.api.task.list.query({});
    expect(list.total).toBe(tasksBefore + 1);
    const edited = list.items[0];
    if (!edited) throw new Error('no task for the edited file');
    editedTaskId = edited.id;
    const detail = await user.api.task.byId.query({ id: editedTaskId });
    expect(detail).toMatchObject({ title: titles[1], articleId: originalId, mode: 'publish', status: 'success' });
    expect(detail.content).toContain('补充的一段：第二次发布。');
    // A third run finds nothing to do.
    const third = await zpub(['publish', 'column', '--account', account.name, '--wait']);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('0 published, 3 unchanged');
  });

  it('updated the edited article in place: no new article, the new text live at the same address', async () => {
    const published = await stack.sandboxApi.articles(account.name);
    expect(published).toHaveLength(3);
    const article = published.find((a) => a.id === originalId);
    expect(article?.html).toContain('补充的一段：第二次发布。');
    expect((await frontMatter(files()[1] ?? ''))['zhihu-id']).toBe(originalId);
  });

  it('--draft saves to the drafts and publishes nothing; the same file published later goes live as that article', async () => {
    const folder = join(home, 'drafts');
    await mkdir(folder);
    const title = `先存草稿 ${Date.now()}`;
    const file = join(folder, 'draft.md');
    await writeFile(file, `# ${title}\n\n先存草稿，明天再发。\n`);
    const countBefore = (await stack.sandboxApi.articles(account.name)).length;

    const run = await zpub(['publish', 'drafts', '--account', account.name, '--draft', '--wait']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/100% {2}drafted {2}drafts\/draft\.md \(drafted\)/);
    expect(run.stdout).toContain('0 published, 1 saved as drafts, 0 unchanged');
    expect(await stack.sandboxApi.articles(account.name)).toHaveLength(countBefore);
    const draft = (await stack.sandboxApi.drafts(account.name)).find((d) => d.title === title);
    expect(draft?.published).toBe(false);
    expect((await frontMatter(file))['zhihu-id']).toBe(draft?.id);

    // Published without --draft: the draft goes live under its own id, and no second article.
    const live = await zpub(['publish', 'drafts', '--account', account.name, '--wait']);
    expect(live.stderr).toBe('');
    expect(live.code).toBe(0);
    expect(live.stdout).toContain('1 published, 0 unchanged');
    const after = await stack.sandboxApi.articles(account.name);
    expect(after).toHaveLength(countBefore + 1);
    expect(after.find((x) => x.title === title)?.id).toBe(draft?.id);
    expect((await frontMatter(file))['zhihu-link']).toBe(`${stack.urls.sandbox}/p/${draft?.id}`);
  });

  it('names a file with a bad front matter, and one whose image is missing, and publishes nothing for them; the rest goes out, subfolders with -r', async () => {
    const mixed = join(home, 'mixed');
    await mkdir(join(mixed, '2026'), { recursive: true });
    await mkdir(join(mixed, '.obsidian'));
    const bad = `---\ntitle: "never closed\ntopics: [a\n---\n# 坏文件\n正文\n`;
    await writeFile(join(mixed, 'bad.md'), bad);
    await writeFile(join(mixed, 'no-image.md'), '# 缺图的文章\n\n![](pics/gone.png)\n');
    // Kept in a subfolder: only -r reads it; the editor's hidden folder is never read.
    const goodTitle = `好文件 ${Date.now()}`;
    await writeFile(join(mixed, '2026', 'good.md'), `# ${goodTitle}\n\n正文\n`);
    await writeFile(join(mixed, '.obsidian', 'template.md'), '# 模板\n\n不是文章\n');
    const countBefore = (await stack.sandboxApi.articles(account.name)).length;
    const tasksBefore = (await user.api.task.list.query({})).total;

    const run = await zpub(['publish', 'mixed', '-r', '--account', account.name, '--wait']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/100% {2}published {2}mixed\/2026\/good\.md/);
    expect(run.stderr).toMatch(/✗ mixed\/bad\.md: front matter is not valid YAML: .* — nothing was published for it/);
    expect(run.stderr).toContain(`✗ mixed/no-image.md: image pics/gone.png not found (looked for ${join(mixed, 'pics', 'gone.png')}) — nothing was published for it`);
    expect(run.stdout).toContain('1 published, 0 unchanged, 2 refused');

    expect(await readFile(join(mixed, 'bad.md'), 'utf8')).toBe(bad);
    const list = await user.api.task.list.query({});
    expect(list.total).toBe(tasksBefore + 1);
    expect(list.items[0]?.title).toBe(goodTitle);
    const titlesNow = (await stack.sandboxApi.articles(account.name)).map((a) => a.title);
    expect(titlesNow).toHaveLength(countBefore + 1);
    expect(titlesNow).toContain(goodTitle);
    expect(titlesNow).not.toContain('坏文件');
    expect(titlesNow).not.toContain('缺图的文章');
    expect(titlesNow).not.toContain('模板');
  });

  it('shows, cancels and retries a batch and a task', async () => {
    const later = join(home, 'later');
    await mkdir(later);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await writeFile(join(later, 'a.md'), `---\nschedule: ${tomorrow}\n---\n# 明天再发\n正文\n`);
    const run = await zpub(['publish', 'later/a.md', '--account', account.name]);
    expect(run.code).toBe(0);
    const batchId = /batch ([a-f0-9]{24})/.exec(run.stdout)?.[1] ?? '';
    const taskId = String((await frontMatter(join(later, 'a.md')))['zpub-task']);
    expect(run.stdout).toContain(`→ later/a.md: submitted as task ${taskId}`);

    const status = await zpub(['status', batchId]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^pending\\s+0%\\s+明天再发\\s+scheduled\\s+${taskId}$`, 'm'));
    expect(status.stdout).toContain(`batch ${batchId}: 1 pending`);

    expect(await zpub(['cancel', batchId])).toMatchObject({ code: 0, stdout: `batch ${batchId}: 1 cancelled, 0 left as they were\n` });
    expect((await user.api.task.byId.query({ id: taskId })).status).toBe('cancelled');
    expect(await zpub(['retry', taskId])).toMatchObject({ code: 0, stdout: `task ${taskId} (明天再发): pending\n` });
    expect(await zpub(['cancel', taskId])).toMatchObject({ code: 0, stdout: `task ${taskId} (明天再发): cancelled\n` });
    const again = await zpub(['cancel', taskId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Cannot cancel a task that is cancelled');
    expect(await zpub(['status', 'f'.repeat(24)])).toMatchObject({ code: 1, stderr: `zpub: No task or batch ${'f'.repeat(24)} (among yours)\n` });
  });
});

describe('in Chinese', () => {
  it('a Chinese locale gets every line in Chinese: help, progress, a refused file, the summary, status and a refused cancel', async () => {
    // As on a machine set up for Chinese: no ZPUB_LANG, the locale says zh_CN.
    const zh = { ZPUB_LANG: '', LANG: 'zh_CN.UTF-8' };
    const folder = join(home, '中文');
    await mkdir(folder);
    const title = `中文界面 ${Date.now()}`;
    await writeFile(join(folder, '好.md'), `# ${title}\n\n正文\n`);
    await writeFile(join(folder, '无标题.md'), '只有正文，没有标题\n');
    const countBefore = (await stack.sandboxApi.articles(account.name)).length;

    const help = await zpub(['--help'], { env: zh });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('用法：');
    const run = await zpub(['publish', '中文', '--account', account.name, '--wait'], { env: zh });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/批次 [a-f0-9]{24}：已提交 1 篇文章（zpub status [a-f0-9]{24}）/);
    expect(run.stdout).toMatch(new RegExp(`100% {2}已发布 {2}中文/好\\.md \\(已验证发布\\) {2}${stack.urls.sandbox}/p/\\d{15,20}`));
    expect(run.stderr).toBe('✗ 中文/无标题.md：没有标题：请在文件开头信息里写 “title:”，或用一行 “# 标题” 开始正文 [TITLE_REQUIRED]。这个文件没有发布任何内容\n');
    expect(run.stdout).toContain('1 篇已发布，0 篇没有改动，1 篇被拒绝');
    const articles = await stack.sandboxApi.articles(account.name);
    expect(articles).toHaveLength(countBefore + 1);
    expect(articles.map((a) => a.title)).toContain(title);

    const taskId = (await user.api.task.list.query({})).items[0]?.id ?? '';
    const status = await zpub(['status', taskId], { env: zh });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^状态\\s+进度\\s+标题\\s+结果\\s+任务\n已发布\\s+100%\\s+${title}\\s+${stack.urls.sandbox}/p/\\d+\\s+${taskId}$`, 'm'));
    const cancel = await zpub(['cancel', taskId], { env: zh });
    expect(cancel).toMatchObject({ code: 1, stderr: 'zpub: 状态为“已发布”，不能取消\n' });
    const nobody = await zpub(['accounts'], { env: { ...zh, HOME: folder, XDG_CONFIG_HOME: join(folder, '.config') } });
    expect(nobody).toMatchObject({ code: 3, stderr: 'zpub: 尚未登录：请在应用的 “API 令牌” 页面创建令牌，然后运行 `zpub login --token <令牌> --server <应用的地址>`\n' });

    // Nothing said in English: no run of three Latin-script words (names, addresses and ids are single tokens).
    for (const r of [help, run, status, cancel, nobody]) expect(latinSentences(`${r.stdout}\n${r.stderr}`)).toEqual([]);
  });
});

describe('a bad token', () => {
  it('a token nobody issued: exit 3 and a message that says what to do; nothing is saved and the token is not repeated', async () => {
    const forged = `zpub_${'Q'.repeat(43)}`;
    const elsewhere = await mkdtemp(join(tmpdir(), 'zpub-cli-other-'));
    const env = { HOME: elsewhere, XDG_CONFIG_HOME: join(elsewhere, '.config') };
    const login = await zpub(['login', '--server', stack.urls.app, '--token', forged], { env });
    expect(login.code).toBe(3);
    expect(login.stderr).toBe(`zpub: ${stack.urls.app} refused the token: it is wrong or was revoked. Create a new one on the API tokens page (${stack.urls.app}/tokens)\n`);
    await expect(stat(join(elsewhere, '.config', 'zpub', 'config.json'))).rejects.toThrow(/ENOENT/);

    const malformed = await zpub(['login', '--server', stack.urls.app, '--token', 'hunter2-typo'], { env });
    expect(malformed.code).toBe(3);
    expect(malformed.stderr).toContain('That is not a zpub API token');
    expect(malformed.stderr).not.toContain('hunter2');

    const viaEnv = await zpub(['accounts'], { env: { ...env, ZPUB_SERVER: stack.urls.app, ZPUB_TOKEN: forged } });
    expect(viaEnv.code).toBe(3);
    expect(viaEnv.stderr).toContain('refused the token: it is wrong or was revoked');
    expect(`${login.stdout}${login.stderr}${viaEnv.stdout}${viaEnv.stderr}`).not.toContain(forged);

    const nobody = await zpub(['accounts'], { env });
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toContain('Not logged in');
    await rm(elsewhere, { recursive: true, force: true });
  });

  it('revoked on the API tokens page: the next command is refused at once with exit 3', async () => {
    expect((await zpub(['status'])).code).toBe(0);
    await page.goto(`${stack.urls.app}/tokens`);
    await page.getByTestId('token-revoke').click();
    await page.getByTestId('token-revoke-confirm').click();
    await expect.poll(() => page.getByTestId('token-notice').textContent()).toContain('已撤销令牌 “我的命令行”');
    await expect.poll(() => page.getByTestId('tokens-empty').isVisible()).toBe(true);

    const after = await zpub(['publish', 'column', '--account', account.name]);
    expect(after.code).toBe(3);
    expect(after.stderr).toBe(
      `zpub: ${stack.urls.app} refused the token: it is wrong or was revoked. Create a new one on the API tokens page (${stack.urls.app}/tokens), then run \`zpub login --token <token> --server ${stack.urls.app}\`\n`,
    );
    expect(after.stderr).not.toContain(token);
  });
});
