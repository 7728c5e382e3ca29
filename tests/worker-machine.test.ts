/**
 * What a worker machine needs beyond Node: a Chinese font, so failure screenshots are readable,
 * and (when chosen) a virtual display for headful Chromium. Real Chromium, real sandbox, real fonts;
 * a "machine without a CJK font" is the same machine with fontconfig pointed at the other fonts.
 */
import { readFileSync } from 'node:fs';
import { tempDir, type AppHandle, type TempDir } from '@zpub/devstack';
import { createLogger } from '@zpub/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browsers } from '../apps/worker/src/browser/cluster';
import { captureEvidence } from '../apps/worker/src/jobs/publish';
import { User } from './support/client';
import { fontConfigWithoutChinese } from './support/fonts';
import { allProcs, isChromium, tree } from './support/procs';
import { bootStack, type TestStack } from './support/stack';
import { isTerminal } from './support/tasks';

let stack: TestStack;
let tmp: TempDir;
/** A fontconfig file that sees every font of this machine except those with Chinese glyphs. */
let noChineseFonts: string;

async function readyz(worker: AppHandle): Promise<Record<string, unknown>> {
  const res = await fetch(`${worker.url}/readyz`);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  tmp = await tempDir('worker-machine-');
  noChineseFonts = fontConfigWithoutChinese(tmp.path);
  stack = await bootStack({ workers: 1 });
});
afterAll(async () => {
  await stack?.stop();
  await tmp?.cleanup();
});

/**
 * Takes the worker's evidence screenshot of a Chinese sandbox page twice: as it is, and with the
 * Chinese characters of one line replaced by a code point no font has. Returns how much that line's
 * pixels differ between the two (mean over RGB, 0-255): the missing-glyph box looks the same for
 * every character, so without a Chinese font both screenshots show the same boxes there.
 */
async function glyphContrast(fontConfig: string | undefined): Promise<{ text: string; diff: number }> {
  const saved = process.env.FONTCONFIG_FILE;
  // puppeteer hands its own environment to Chromium, which reads fontconfig's from there.
  if (fontConfig === undefined) delete process.env.FONTCONFIG_FILE;
  else process.env.FONTCONFIG_FILE = fontConfig;
  const browsers = await Browsers.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    slots: 1,
    timeoutMs: 60_000,
    recycleAfter: 100,
    nice: 0,
    log: createLogger('test', 'silent'),
  }).finally(() => {
    if (saved === undefined) delete process.env.FONTCONFIG_FILE;
    else process.env.FONTCONFIG_FILE = saved;
  });
  try {
    return await browsers.run(async (page) => {
      await page.setCookie({ name: 'z_c0', value: 'sandbox-fonts', url: stack.urls.sandbox });
      await page.goto(`${stack.urls.sandbox}/write`, { waitUntil: 'load' });
      // The first visible line with at least two Chinese characters, and where it sits.
      const line = await page.evaluate(() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent ?? '';
          if ((text.match(/\p{Script=Han}/gu) ?? []).length < 2) continue;
          const range = document.createRange();
          range.selectNodeContents(node);
          const r = range.getBoundingClientRect();
          if (r.width > 0 && r.height > 0 && r.bottom <= innerHeight && r.right <= innerWidth) {
            node.parentElement?.setAttribute('data-glyph-probe', '');
            return { text, x: r.x, y: r.y, w: r.width, h: r.height };
          }
        }
        return null;
      });
      if (!line) throw new Error(`no visible Chinese text on ${page.url()}`);
      const before = await captureEvidence(page);
      await page.evaluate(() => {
        const el = document.querySelector('[data-glyph-probe]');
        for (const node of el?.childNodes ?? []) {
          if (node.nodeType === Node.TEXT_NODE) node.textContent = (node.textContent ?? '').replace(/\p{Script=Han}/gu, '\u{10FFFD}');
        }
      });
      const after = await captureEvidence(page);
      if (!before?.screenshot || !after?.screenshot) throw new Error('the evidence path took no screenshot');
      const diff = await page.evaluate(
        async (a: string, b: string, box: { x: number; y: number; w: number; h: number }) => {
          const pixels = async (b64: string) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
            const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
            const ctx = canvas.getContext('2d');
            if (!ctx) throw new Error('no canvas');
            ctx.drawImage(bitmap, 0, 0);
            return ctx.getImageData(Math.floor(box.x), Math.floor(box.y), Math.ceil(box.w), Math.ceil(box.h)).data;
          };
          const [pa, pb] = [await pixels(a), await pixels(b)];
          let sum = 0;
          let n = 0;
          for (let i = 0; i < pa.length; i += 4) {
            for (let c = 0; c < 3; c++) sum += Math.abs((pa[i + c] ?? 0) - (pb[i + c] ?? 0));
            n += 3;
          }
          return sum / n;
        },
        before.screenshot.toString('base64'),
        after.screenshot.toString('base64'),
        line,
      );
      return { text: line.text.trim(), diff };
    });
  } finally {
    await browsers.close();
  }
}

describe('a worker machine', () => {
  it('draws Chinese with real glyphs in the failure screenshots (and the check tells when it does not)', async () => {
    const real = await glyphContrast(undefined);
    const boxes = await glyphContrast(noChineseFonts);
    console.log(`"${real.text}": mean pixel change ${real.diff.toFixed(2)} with this machine's fonts, ${boxes.diff.toFixed(2)} without a Chinese font`);
    expect(boxes.text).toBe(real.text);
    // Without a Chinese font the line is the same boxes either way; with one, real glyphs give way to boxes.
    expect(boxes.diff).toBeLessThan(0.5);
    expect(real.diff).toBeGreaterThan(5);
  });

  it('says on /readyz and in its log whether Chromium has a Chinese font', async () => {
    const [normal] = stack.workers;
    if (!normal) throw new Error('no worker');
    expect(await readyz(normal)).toMatchObject({ ok: true, cjkFont: true, headless: true });
    expect(readFileSync(normal.logFile, 'utf8')).not.toMatch(/no Chinese \(CJK\) font/);

    const bare = await stack.addWorker({ FONTCONFIG_FILE: noChineseFonts });
    try {
      // Not a readiness failure: it publishes fine, only its screenshots are unreadable.
      expect(await readyz(bare)).toMatchObject({ ok: true, cjkFont: false });
      const warning = readFileSync(bare.logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('no Chinese (CJK) font'));
      expect(warning).toBeDefined();
      expect(JSON.parse(warning ?? '{}')).toMatchObject({ level: 'warn', msg: expect.stringContaining('apt-get install fonts-noto-cjk') });
    } finally {
      await bare.stop();
    }
  });

  it('runs headful Chromium on its own Xvfb display with BROWSER_HEADLESS=false, publishes, and leaves nothing behind', async () => {
    for (const w of stack.workers) await w.stop();
    const headful = await stack.addWorker({ BROWSER_HEADLESS: 'false' });
    expect(await readyz(headful)).toMatchObject({ ok: true, headless: false, cjkFont: true });
    const user = await User.register(stack.urls.app);
    const account = await user.sandboxAccount();
    const rec = user.record();
    await rec.started;
    const { taskId } = await user.api.task.create.mutate({ accountId: account.id, title: '有界面的浏览器', content: '在虚拟显示器上发布。' });
    await rec.until((es) => es.some((e) => e.taskId === taskId && isTerminal(e)), 90_000, 'the task to end');
    rec.stop();
    expect(rec.of(taskId).at(-1)).toMatchObject({ status: 'success' });
    expect(await stack.sandboxApi.articles(account.name)).toEqual([expect.objectContaining({ title: '有界面的浏览器' })]);

    const procs = tree(headful.pid);
    const xvfb = procs.filter((p) => p.comm === 'Xvfb');
    expect(xvfb).toHaveLength(1);
    const browser = procs.find((p) => isChromium(p) && p.ppid === headful.pid);
    if (!browser) throw new Error('no Chromium main process under the worker');
    const cmdline = readFileSync(`/proc/${browser.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline.some((a) => a.startsWith('--headless'))).toBe(false);
    const announced = readFileSync(headful.logFile, 'utf8')
      .split('\n')
      .find((l) => l.includes('headful Chromium on a virtual display'));
    const display = (JSON.parse(announced ?? '{}') as { display?: string; xvfb?: number }).display;
    expect(display).toMatch(/^:\d+$/);
    expect(cmdline).toContain(`--display=${display}`);

    await headful.stop();
    const live = new Set(allProcs().map((p) => p.pid));
    expect([...xvfb, browser].filter((p) => live.has(p.pid))).toEqual([]);
  });
});
