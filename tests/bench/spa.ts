/**
 * The SPA: the gzip size of what the first page load needs (apps/web/scripts/check-bundle.mjs, the
 * same check the build runs), and the time to the first task row of /tasks for a user with
 * 5,000 tasks, in a real Chromium (playwright-core, /usr/bin/chromium) with a cold cache.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureChromium, repoRoot } from '@zpub/devstack';
import { chromium } from 'playwright-core';
import type { BenchOutcome } from './lib/report';
import { benchStack, makeUsers } from './lib/stack';
import { fixed, median, ms } from './lib/stats';
import type { Benchmark } from './lib/types';

const TASKS = 5000;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function bundle(): { initialKb: number; allKb: number } {
  const web = join(repoRoot(), 'apps', 'web');
  const out = execFileSync(process.execPath, [join(web, 'scripts', 'check-bundle.mjs')], { encoding: 'utf8' });
  const initial = /initial bundle: ([\d.]+) kB gzip/.exec(out)?.[1];
  if (!initial) throw new Error(`check-bundle.mjs said nothing about the initial bundle:\n${out}`);
  const assets = join(web, 'dist', 'assets');
  let all = 0;
  for (const f of readdirSync(assets)) if (statSync(join(assets, f)).isFile()) all += gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  return { initialKb: Number(initial), allKb: all / 1024 };
}

export const spaBenchmark: Benchmark = {
  key: 'spa',
  title: 'SPA: bundle size and first render of 5,000 tasks',
  async run(ctx): Promise<BenchOutcome> {
    const loads = ctx.quick ? 2 : 7;
    const size = bundle();
    await using stack = await benchStack({ workers: 0 });
    const [u] = await makeUsers(stack.urls.app, 1, 'spa');
    if (!u) throw new Error('no user');
    for (let i = 0; i < TASKS; i += 500) {
      await u.user.api.task.createBatch.mutate({
        accountId: u.accountId,
        articles: Array.from({ length: Math.min(500, TASKS - i) }, (_, k) => ({ title: `界面 ${i + k}`, content: '正文' })),
      });
    }
    const total = (await u.user.api.task.list.query({ limit: 1 })).total;
    if (total !== TASKS) throw new Error(`the user has ${total} tasks, not ${TASKS}`);
    const sid = /zpub_sid=([^;]+)/.exec(u.user.cookie)?.[1];
    if (!sid) throw new Error('no session cookie');

    const browser = await chromium.launch({ executablePath: ensureChromium(), args: ARGS });
    const wall: number[] = [];
    const inPage: number[] = [];
    let shown = 0;
    try {
      for (let i = 0; i < loads + 1; i++) {
        // A new context each time: cold cache, like a first visit.
        const context = await browser.newContext();
        await context.addCookies([{ name: 'zpub_sid', value: sid, url: stack.urls.app }]);
        const page = await context.newPage();
        // The moment the first row is in the DOM, by the page's own clock (from navigation start).
        await page.addInitScript(() => {
          const w = window as unknown as { __firstRow?: number };
          new MutationObserver((_, obs) => {
            if (document.querySelector('[data-testid="task-row"]')) {
              w.__firstRow = performance.now();
              obs.disconnect();
            }
          }).observe(document, { childList: true, subtree: true });
        });
        const t0 = performance.now();
        await page.goto(`${stack.urls.app}/tasks`);
        await page.locator('[data-testid="task-row"]').first().waitFor({ state: 'visible', timeout: 30_000 });
        const dt = performance.now() - t0;
        const first = await page.evaluate(() => (window as unknown as { __firstRow?: number }).__firstRow ?? Number.NaN);
        shown = await page.locator('[data-testid="task-row"]').count();
        await context.close();
        if (i === 0) continue; // the first load also warms the server's code paths
        wall.push(dt);
        inPage.push(first);
        ctx.log(`load ${i}: first row after ${ms(first)} (page clock), ${ms(dt)} (wall)`);
      }
    } finally {
      await browser.close();
    }
    const render = median(inPage);
    const wallM = median(wall);
    return {
      method:
        `The initial bundle is what apps/web/scripts/check-bundle.mjs counts (entry script, its static imports, the stylesheet; gzip -9). ` +
        `Render: a user with ${TASKS} tasks opens /tasks in headless Chromium with a fresh context (cold cache) ${loads} times after one warm-up load; ` +
        'time from navigation start to the first task row in the DOM (MutationObserver in the page), and wall time until it is visible (playwright).',
      figures: [
        { label: 'initial bundle (gzip)', value: `${fixed(size.initialKb, 1)} kB` },
        { label: 'all assets, including lazy pages (gzip)', value: `${fixed(size.allKb, 1)} kB` },
        { label: 'first task row, page clock (median)', value: ms(render) },
        { label: 'first task row visible, wall (median)', value: ms(wallM) },
        { label: 'rows in the DOM (virtualised list)', value: String(shown) },
      ],
      targets: [
        { what: 'bundle', target: '≤ 150 kB gzip', measured: `${fixed(size.initialKb, 1)} kB`, pass: size.initialKb <= 150 },
        { what: `first render of ${TASKS} tasks`, target: '≤ 1 s', measured: ms(Math.max(render, wallM)), pass: Math.max(render, wallM) <= 1000 },
      ],
      notes: [],
    };
  },
};
