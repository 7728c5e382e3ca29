/**
 * The baseline for publish throughput: the same Zhihu flow, with the same functions the worker
 * runs (apps/worker/src/adapters/zhihu/publish.ts) and the same Chromium flags, driven by
 * puppeteer-cluster alone: one browser context per article, four at a time. No queue, no
 * database, no events, no server: what the browser work costs by itself.
 */
import { markdownToZhihuHtml } from '@zpub/shared/markdown';
import { Cluster } from 'puppeteer-cluster';
import puppeteer, { type Page } from 'puppeteer-core';
import { loginCheck, publishArticle, setAccountCookies, type Origins } from '../../apps/worker/src/adapters/zhihu/publish';
import { CHROMIUM_ARGS } from '../../apps/worker/src/browser/cluster';

export interface BaselineRun {
  seconds: number;
  ok: number;
  /** How long each article held its browser slot (ms). */
  flows: number[];
}

export class Baseline {
  private constructor(private readonly cluster: Cluster<{ title: string; content: string }, boolean>) {}

  static async launch(executablePath: string, slots = 4): Promise<Baseline> {
    const cluster = await Cluster.launch({
      concurrency: Cluster.CONCURRENCY_CONTEXT,
      maxConcurrency: slots,
      puppeteer,
      puppeteerOptions: { executablePath, headless: true, pipe: true, args: CHROMIUM_ARGS, defaultViewport: { width: 1280, height: 900 } } as never,
      timeout: 120_000,
      retryLimit: 0,
      monitor: false,
    });
    return new Baseline(cluster as Cluster<{ title: string; content: string }, boolean>);
  }

  /** Publishes every article as `account` (a sandbox login) and returns when all are done. */
  async publish(origin: string, account: string, articles: { title: string; content: string }[]): Promise<BaselineRun> {
    const origins: Origins = { www: origin, zhuanlan: origin, api: origin, imageUpload: origin };
    const cookies = [{ name: 'z_c0', value: `sandbox-${account}` }];
    const signal = new AbortController().signal;
    const t0 = performance.now();
    const flows: number[] = [];
    const outcomes = await Promise.all(
      articles.map((a) =>
        this.cluster.execute(a, async ({ page, data }: { page: Page; data: { title: string; content: string } }) => {
          const started = performance.now();
          page.setDefaultTimeout(15_000);
          page.setDefaultNavigationTimeout(30_000);
          await setAccountCookies(page, origins, cookies);
          const me = await loginCheck(page, origins);
          const article = { title: data.title, html: markdownToZhihuHtml(data.content), topics: [] as string[] };
          // Benchmark articles have no uploaded images.
          const hooks = { stage: async () => undefined, beforeSubmit: async () => undefined, loadAsset: async () => null, signal };
          const out = await publishArticle(page, origins, article, me, hooks, { submittedAt: null }, { redirectTimeoutMs: 15_000 });
          flows.push(performance.now() - started);
          return out.status === 'success';
        }),
      ),
    );
    return { seconds: (performance.now() - t0) / 1000, ok: outcomes.filter(Boolean).length, flows };
  }

  async close(): Promise<void> {
    await this.cluster.idle();
    await this.cluster.close();
  }
}
