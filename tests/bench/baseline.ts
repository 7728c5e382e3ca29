/**
 * The baseline for publish throughput: the same Zhihu flow, with the same functions the worker
 * runs (apps/worker/src/adapters/zhihu/publish.ts), the same Chromium flags and priority, driven
 * by puppeteer alone: four slots on one browser, one fresh browser context per article. No queue,
 * no database, no events, no server: what the browser work costs by itself. Each article's clock
 * starts before its context is made, as the worker's does (its `browser` stage is stamped when a
 * slot takes the task, before the context exists).
 */
import { markdownToZhihuHtml } from '@zpub/shared/markdown';
import puppeteer, { type Browser } from 'puppeteer-core';
import { loginCheck, publishArticle, setAccountCookies, type Origins } from '../../apps/worker/src/adapters/zhihu/publish';
import { CHROMIUM_ARGS } from '../../apps/worker/src/browser/cluster';
import { keepLowered } from '../../apps/worker/src/browser/priority';

export interface BaselineRun {
  seconds: number;
  ok: number;
  /** How long each article held its slot (ms), from before its context was made to the flow's end. */
  flows: number[];
  errors: string[];
}

export class Baseline {
  private constructor(
    private readonly browser: Browser,
    private readonly slots: number,
    private readonly stopLowering: () => void,
  ) {}

  /** `nice`: the priority the worker's Chromium runs at, so both compete for the cores alike. */
  static async launch(executablePath: string, nice: number, slots = 4): Promise<Baseline> {
    const browser = await puppeteer.launch({
      executablePath,
      headless: true,
      pipe: true,
      protocolTimeout: 30_000,
      args: CHROMIUM_ARGS,
      defaultViewport: { width: 1280, height: 900 },
    });
    return new Baseline(browser, slots, keepLowered(browser.process()?.pid, nice));
  }

  /** Publishes every article as `account` (a sandbox login) and returns when all are done. */
  async publish(origin: string, account: string, articles: { title: string; content: string }[]): Promise<BaselineRun> {
    const origins: Origins = { www: origin, zhuanlan: origin, api: origin, imageUpload: origin };
    const cookies = [{ name: 'z_c0', value: `sandbox-${account}` }];
    const signal = new AbortController().signal;
    // Benchmark articles have no uploaded images.
    const hooks = { stage: async () => undefined, beforeSubmit: async () => undefined, loadAsset: async () => null, signal };
    const queue = [...articles];
    const flows: number[] = [];
    const errors: string[] = [];
    let ok = 0;
    const t0 = performance.now();
    let last = t0;
    await Promise.all(
      Array.from({ length: this.slots }, async () => {
        for (let a = queue.shift(); a; a = queue.shift()) {
          const started = performance.now();
          const context = await this.browser.createBrowserContext();
          try {
            const page = await context.newPage();
            page.setDefaultTimeout(15_000);
            page.setDefaultNavigationTimeout(30_000);
            await setAccountCookies(page, origins, cookies);
            const me = await loginCheck(page, origins);
            const article = { title: a.title, html: markdownToZhihuHtml(a.content), topics: [] as string[] };
            const out = await publishArticle(page, origins, article, me, hooks, { submittedAt: null }, { redirectTimeoutMs: 15_000 });
            const ended = performance.now();
            flows.push(ended - started);
            last = Math.max(last, ended);
            if (out.status === 'success') ok++;
            else errors.push(`${a.title}: ${out.status}`);
          } catch (err) {
            errors.push(`${a.title}: ${(err as Error).message}`);
          } finally {
            await context.close().catch(() => undefined);
          }
        }
      }),
    );
    return { seconds: (last - t0) / 1000, ok, flows, errors };
  }

  async close(): Promise<void> {
    this.stopLowering();
    await this.browser.close();
  }
}
