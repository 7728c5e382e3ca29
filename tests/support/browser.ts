/**
 * The built SPA in a real Chromium (playwright-core driving /usr/bin/chromium): the steps every
 * browser suite starts with, and what a person with a screen reader or a phone would meet there
 * (axe-core's findings, sideways scrolling, what a chart draws).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '@zpub/devstack';
import type { AxeResults, RunOptions } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Chromium, after checking that the SPA the server hosts has been built. */
export async function launchForSpa(): Promise<Browser> {
  expect(readFileSync(join(repoRoot(), 'apps/web/dist/index.html'), 'utf8'), 'apps/web is not built: pnpm --filter @zpub/web build').toContain('<div');
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Signs up through the form and adds a sandbox account named `account` on the accounts page. */
export async function signUpWithSandboxAccount(page: Page, appUrl: string, account: string): Promise<void> {
  await page.goto(`${appUrl}/login?mode=register`);
  await page.getByTestId('auth-email').fill(`user${Date.now()}${Math.random().toString(36).slice(2, 6)}@example.com`);
  await page.getByTestId('auth-password').fill('a long enough password');
  await page.getByTestId('auth-submit').click();
  await expect.poll(() => page.getByTestId('user-email').isVisible()).toBe(true);
  await page.getByTestId('nav-accounts').click();
  await page.getByTestId('account-name-input').fill(account);
  await page.getByTestId('account-add').click();
  await expect.poll(() => page.getByTestId('account-row').count()).toBe(1);
}

/** A browser context that carries `cookie`'s session (a `zpub_sid=...` header value). */
export async function signedInContext(browser: Browser, appUrl: string, cookie: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const sid = /zpub_sid=([^;]+)/.exec(cookie)?.[1];
  if (!sid) throw new Error('the user has no session cookie');
  const context = await browser.newContext(options);
  await context.addCookies([{ name: 'zpub_sid', value: sid, url: appUrl, httpOnly: true, sameSite: 'Lax' }]);
  return context;
}

// ---------- axe-core ----------

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.0, 2.1 and 2.2, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG A/AA violations on the page as it is now. The script goes in through the
 * DevTools protocol, not a <script> tag, so the app's CSP stays as it is for people.
 */
export async function axeFindings(page: Page, tags: readonly string[] = WCAG_TAGS): Promise<AxeFinding[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { runOnly: { type: 'tag', values: [...tags] }, resultTypes: ['violations'] };
  const violations = await page.evaluate(async (opts) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<AxeResults> } }).axe;
    const res = await axe.run(document, opts);
    return res.violations.map((v) => ({
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => `${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 160)})` : ''}`),
    }));
  }, options);
  return violations;
}

/** Drops Markdown files onto the element with `testid`, as from a file manager. */
export async function dropMarkdownFiles(page: Page, testid: string, files: readonly { name: string; text: string }[]): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/markdown' }));
    return dt;
  }, files);
  const zone = page.getByTestId(testid);
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
}

// ---------- layout ----------

/** Why the page scrolls sideways (the widest elements past the right edge), or null if it does not. */
export function sidewaysScroll(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= window.innerWidth) return null;
    const past = [...document.querySelectorAll<HTMLElement>('body *')]
      .map((el) => ({ el, right: el.getBoundingClientRect().right }))
      .filter((x) => x.right > window.innerWidth + 0.5)
      .sort((a, b) => b.right - a.right)
      .slice(0, 4)
      .map(({ el, right }) => `<${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}${el.dataset.testid ? ` ${el.dataset.testid}` : ''}> to ${Math.round(right)} px`);
    return `scrollWidth ${root.scrollWidth} > innerWidth ${window.innerWidth}: ${past.join(', ')}`;
  });
}

// ---------- text drawn on canvases ----------

export interface DrawnText {
  text: string;
  /** CSS pixels, relative to the canvas's top-left corner. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * An init script: records the ink box of every fillText on a 2D canvas, cleared when the whole
 * canvas is (uPlot clears before each redraw), so a test can see where chart labels landed.
 */
export function recordCanvasText(): void {
  const drawn = new WeakMap<HTMLCanvasElement, DrawnText[]>();
  const w = window as unknown as { __drawnText: (c: HTMLCanvasElement) => DrawnText[] };
  w.__drawnText = (c) => drawn.get(c) ?? [];
  const proto = CanvasRenderingContext2D.prototype;
  const fillText = proto.fillText;
  const clearRect = proto.clearRect;
  proto.clearRect = function (this: CanvasRenderingContext2D, x: number, y: number, width: number, height: number) {
    if (x <= 0 && y <= 0 && x + width >= this.canvas.width && y + height >= this.canvas.height) drawn.set(this.canvas, []);
    clearRect.call(this, x, y, width, height);
  };
  proto.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
    const m = this.measureText(text);
    const t = this.getTransform();
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [px, py] of [
      [x - m.actualBoundingBoxLeft, y - m.actualBoundingBoxAscent],
      [x + m.actualBoundingBoxRight, y - m.actualBoundingBoxAscent],
      [x - m.actualBoundingBoxLeft, y + m.actualBoundingBoxDescent],
      [x + m.actualBoundingBoxRight, y + m.actualBoundingBoxDescent],
    ] as const) {
      xs.push(t.a * px + t.c * py + t.e);
      ys.push(t.b * px + t.d * py + t.f);
    }
    // Device pixels of the bitmap -> CSS pixels of the element.
    const box = this.canvas.getBoundingClientRect();
    const sx = box.width > 0 ? box.width / this.canvas.width : 1;
    const sy = box.height > 0 ? box.height / this.canvas.height : 1;
    const list = drawn.get(this.canvas) ?? [];
    list.push({ text, left: Math.min(...xs) * sx, right: Math.max(...xs) * sx, top: Math.min(...ys) * sy, bottom: Math.max(...ys) * sy });
    drawn.set(this.canvas, list);
    if (maxWidth === undefined) fillText.call(this, text, x, y);
    else fillText.call(this, text, x, y, maxWidth);
  };
}

/** The texts drawn on the first canvas inside `selector`, and the canvas's size in CSS pixels. */
export function drawnText(page: Page, selector: string): Promise<{ width: number; height: number; texts: DrawnText[] }> {
  return page.evaluate((sel) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`${sel} canvas`);
    if (!canvas) return { width: 0, height: 0, texts: [] };
    const box = canvas.getBoundingClientRect();
    const w = window as unknown as { __drawnText: (c: HTMLCanvasElement) => DrawnText[] };
    return { width: box.width, height: box.height, texts: w.__drawnText(canvas) };
  }, selector);
}

/** Pairs of drawn texts whose ink overlaps, as "a / b". */
export function overlaps(texts: readonly DrawnText[]): string[] {
  const out: string[] = [];
  texts.forEach((a, i) => {
    for (const b of texts.slice(i + 1)) {
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push(`${a.text} / ${b.text}`);
    }
  });
  return out;
}
