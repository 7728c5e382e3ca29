/**
 * In a real Chromium against the built SPA: text people typed (titles, bodies, account names) is
 * shown as text, never run as HTML; the CSP would stop an injected handler anyway; and a hostile
 * page on another port of the same host (same *site*, so the Lax cookie goes along) cannot make
 * the signed-in person's browser change anything.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { freePort } from '@zpub/devstack';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchForSpa, signedInContext } from '../support/browser';
import { User } from '../support/client';
import { bootStack, type TestStack } from '../support/stack';
import { sleep } from './helpers';

const TITLE = '<img src=x onerror=alert(1)>';
const TITLE_2 = '"><script>alert(2)</script>';
const ACCOUNT_NAME = '<svg onload=alert(3)>';
const BODY = [
  '正文 <script>alert(4)</script>',
  '',
  '<img src=x onerror=alert(5)>',
  '',
  '[点我](javascript:alert(6)) <a href="javascript:alert(7)">链接</a>',
  '',
  '<iframe src="javascript:alert(8)"></iframe>',
].join('\n');

let stack: TestStack;
let browser: Browser;
let alice: User;
let taskId: string;
let waitingTaskId: string;

beforeAll(async () => {
  // Before the stack: says at once when the SPA is not built.
  browser = await launchForSpa();
  stack = await bootStack({ workers: 0 });
  alice = await User.register(stack.urls.app);
  const account = await alice.api.account.create.mutate({ platform: 'sandbox', name: ACCOUNT_NAME, cookies: 'z_c0=sandbox-xss' });
  taskId = (await alice.api.task.create.mutate({ accountId: account.id, title: TITLE, content: BODY })).taskId;
  await alice.api.task.create.mutate({ accountId: account.id, title: TITLE_2, content: '正文' });
  waitingTaskId = (await alice.api.task.create.mutate({ accountId: account.id, title: '等着', content: '正文', scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).taskId;
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Watch {
  dialogs: string[];
  errors: string[];
}

/** A tab signed in as Alice (her session cookie), recording dialogs and CSP violations. */
async function signedInPage(): Promise<{ context: BrowserContext; page: Page; watch: Watch }> {
  const context = await signedInContext(browser, stack.urls.app, alice.cookie);
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => watch.errors.push(e.message));
  return { context, page, watch };
}

/** Elements with an inline handler (onerror=, onload=...) or a javascript: link anywhere on the page. */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.name)) found.push(`<${el.tagName.toLowerCase()} ${attr.name}>`);
        if (/^\s*javascript:/i.test(attr.value)) found.push(`<${el.tagName.toLowerCase()} ${attr.name}=${attr.value}>`);
      }
      if (el.tagName === 'SCRIPT' && !(el as HTMLScriptElement).src) found.push('<script> inline');
      if (el.tagName === 'IFRAME') found.push('<iframe>');
    }
    return found;
  });
}

const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

describe('text people typed, in the SPA', () => {
  it('shows a title with HTML in it as text in the task list, and runs nothing', async () => {
    const { context, page, watch } = await signedInPage();
    try {
      await page.goto(`${stack.urls.app}/tasks`);
      await page.locator('[data-testid="task-row"]').nth(2).waitFor({ timeout: 60_000 });
      const titles = await page.locator('[data-testid="task-title"]').allTextContents();
      expect(titles.map((t) => t.trim())).toEqual(expect.arrayContaining([TITLE, TITLE_2]));
      await expect(page.getByText(TITLE, { exact: true }).first().isVisible()).resolves.toBe(true);
      // The account name shows in every row, as text too.
      expect((await page.locator('[data-testid="task-row"]').first().textContent()) ?? '').toContain(ACCOUNT_NAME);
      await sleep(1000); // time for a broken image's onerror to have fired
      expect(watch.dialogs).toEqual([]);
      expect(await injected(page)).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
      expect(watch.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the account name as text on the accounts page', async () => {
    const { context, page, watch } = await signedInPage();
    try {
      await page.goto(`${stack.urls.app}/accounts`);
      await page.getByText(ACCOUNT_NAME, { exact: true }).first().waitFor({ timeout: 60_000 });
      await sleep(500);
      expect(watch.dialogs).toEqual([]);
      expect(await injected(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the title as text and a sanitized preview of the body on the task page', async () => {
    const { context, page, watch } = await signedInPage();
    try {
      await page.goto(`${stack.urls.app}/tasks/${taskId}`);
      await page.getByText(TITLE, { exact: true }).first().waitFor({ timeout: 60_000 });
      const toggle = page.locator('[data-testid="detail-toggle-preview"]');
      const source = page.locator('[data-testid="detail-content"]');
      await source.or(page.locator('[data-testid="preview"]')).first().waitFor({ timeout: 30_000 });
      // The source view is text: the script tag is there, literally.
      if (await source.isVisible()) {
        expect(await source.textContent()).toContain('<script>alert(4)</script>');
        await toggle.click();
      }
      const preview = page.locator('[data-testid="preview"]');
      await preview.waitFor({ timeout: 30_000 });
      expect(await preview.textContent()).toContain('正文');
      await sleep(1000);
      expect(watch.dialogs).toEqual([]);
      expect(await injected(page)).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('would still not run an injected handler: the CSP blocks inline script', async () => {
    const { context, page, watch } = await signedInPage();
    try {
      await page.goto(`${stack.urls.app}/tasks`);
      await page.locator('[data-testid="task-row"]').first().waitFor({ timeout: 60_000 });
      await page.evaluate(() => {
        document.body.insertAdjacentHTML('beforeend', '<img src="/nope.png" onerror="window.__ran = 1; alert(9)">');
        const s = document.createElement('script');
        s.textContent = 'window.__ran = 2; alert(10)';
        document.body.append(s);
      });
      await sleep(1000);
      expect(await page.evaluate(() => (window as unknown as { __ran?: number }).__ran)).toBeUndefined();
      expect(watch.dialogs).toEqual([]);
      const violations = await cspViolations(page);
      expect(violations.filter((v) => v.startsWith('script-src')).length).toBeGreaterThanOrEqual(2);
    } finally {
      await context.close();
    }
  });
});

describe('signing out in the SPA', () => {
  it('ends the session on the server: the cookie it had is worthless afterwards', async () => {
    const bob = await User.register(stack.urls.app);
    const context = await signedInContext(browser, stack.urls.app, bob.cookie);
    try {
      const page = await context.newPage();
      await page.goto(`${stack.urls.app}/tasks`);
      // The server's answer is what ends the session and clears the cookie (it is httpOnly): kept
      // to say what happened if the cookie outlives the sign-out.
      const answers: Promise<string>[] = [];
      page.on('response', (r) => {
        if (r.url().includes('auth.logout')) answers.push(r.text().then((body) => `${r.status()} ${body}`, (err: Error) => `${r.status()} (${err.message})`));
      });
      page.on('requestfailed', (r) => {
        if (r.url().includes('auth.logout')) answers.push(Promise.resolve(`failed: ${r.failure()?.errorText ?? '?'}`));
      });
      // The server ends the session, and the live stream hears of it, before the answer that
      // clears the cookie reaches the page; held back here so that order is certain, not left to
      // chance. (route.fetch itself already clears the context's cookie, so what the page shows
      // while the answer is held is what tells.)
      let shownBeforeAnswer: number | null = null;
      await page.route(/auth\.logout/, async (route) => {
        const answer = await route.fetch();
        await sleep(1500);
        shownBeforeAnswer = await page.locator('[data-testid="auth-form"]').count();
        await route.fulfill({ response: answer });
      });
      await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="logout"]').click({ timeout: 60_000 });
      await page.locator('[data-testid="auth-form"]').waitFor({ timeout: 30_000 });
      expect(shownBeforeAnswer, 'the sign-in page showed while the sign-out answer was still on its way').toBe(0);
      const said = (await Promise.all(answers)).join('; ');
      expect((await context.cookies()).find((c) => c.name === 'zpub_sid'), `the sign-out calls were answered: ${said || 'none was made'}`).toBeUndefined();
      // Bob's copy of the cookie, used from outside the browser.
      expect(await bob.api.auth.me.query()).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('says so and stays signed in when the server cannot be told, rather than hiding a live session', async () => {
    const carol = await User.register(stack.urls.app);
    const context = await signedInContext(browser, stack.urls.app, carol.cookie);
    try {
      const page = await context.newPage();
      await page.route(/auth\.logout/, (route) => route.abort('connectionrefused'));
      await page.goto(`${stack.urls.app}/tasks`);
      await page.locator('[data-testid="logout"]').click({ timeout: 60_000 });
      await expect.poll(async () => (await page.locator('[data-testid="logout-error"]').textContent()) ?? '', { timeout: 15_000 }).toContain('退出失败，仍处于登录状态');
      expect(await page.locator('[data-testid="auth-form"]').count()).toBe(0);
      expect(await carol.api.auth.me.query()).not.toBeNull();
      // Once the server can be reached, the same button ends the session.
      await page.unroute(/auth\.logout/);
      await page.locator('[data-testid="logout"]').click();
      await page.locator('[data-testid="auth-form"]').waitFor({ timeout: 30_000 });
      expect(await carol.api.auth.me.query()).toBeNull();
    } finally {
      await context.close();
    }
  });
});

describe('a hostile page on another port of the same host', () => {
  let evil: Server;
  let evilUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    evilUrl = `http://127.0.0.1:${port}`;
    const target = `${stack.urls.trpc}/task.cancel`;
    const body = JSON.stringify({ id: waitingTaskId });
    const page = `<!doctype html><title>win a prize</title>
<form id="f" method="POST" action="${target}" enctype="text/plain" target="sink">
  <input name='${body.slice(0, -1)},"x":"' value='"}'>
</form>
<iframe name="sink"></iframe>
<script>
  fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(body)} })
    .finally(() => { document.getElementById('f').submit(); setTimeout(() => { document.title = 'done'; }, 1500); });
</script>`;
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
    });
    await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => evil?.close(resolve));
  });

  it("cannot cancel the signed-in person's task, by fetch or by form", async () => {
    const { context, page } = await signedInPage();
    try {
      const refusedBefore = (readFileSync(stack.server.logFile, 'utf8').match(/cross-site request refused/g) ?? []).length;
      await page.goto(evilUrl);
      await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 30_000 });
      // Both requests reached the server with the cookie and were refused for their Origin.
      const log = readFileSync(stack.server.logFile, 'utf8');
      expect((log.match(/cross-site request refused/g) ?? []).length - refusedBefore).toBe(2);
      expect(log).toContain(`"origin":"${evilUrl}"`);
      expect((await alice.api.task.byId.query({ id: waitingTaskId })).status).toBe('pending');
    } finally {
      await context.close();
    }
  });
});
