/**
 * The Chromium slots of this worker: a puppeteer-cluster where every task gets a browser context
 * of its own (accounts never share cookies). The browser is restarted after a number of tasks
 * and after a crash; Chromium talks over a pipe, so it exits when this process dies, however.
 */
import { createRequire } from 'node:module';
import type { Logger } from '@zpub/shared/node';
import clusterPkg, { type Cluster as ClusterInstance } from 'puppeteer-cluster';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { BrowserRunner } from './runner';
import { keepLowered } from './priority';

const { Cluster } = clusterPkg;

// puppeteer-cluster exposes its base class for custom concurrency only through a deep path.
const require = createRequire(import.meta.url);
type BaseCtor = new (options: unknown, puppeteer: unknown) => {
  browser: Browser | null;
  init(): Promise<void>;
  repair(): Promise<void>;
};
const SingleBrowserImplementation = (require('puppeteer-cluster/dist/concurrency/SingleBrowserImplementation') as { default: BaseCtor }).default;

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--mute-audio',
];

export interface BrowserStats {
  launches: number;
  tasks: number;
  /** Set while the cluster closes on purpose, so a disconnect is not taken for a crash. */
  closing: boolean;
}

interface RecyclingOptions {
  recycleAfter: number;
  /** Nice value for Chromium and its children (0: leave them at this process's priority). */
  nice: number;
  stats: BrowserStats;
  log: Logger;
}

/** Builds the concurrency class: one browser, one context per task, a fresh browser every N tasks. */
function recyclingContext(opts: RecyclingOptions) {
  return class RecyclingContext extends SingleBrowserImplementation {
    private sinceLaunch = 0;
    private watched: Browser | null = null;
    /** A restart we asked for: its disconnect is not a crash. */
    private recycling = false;

    private requestRestart(): void {
      // The base class restarts the browser once its open contexts are closed.
      (this as unknown as { repairRequested: boolean }).repairRequested = true;
    }

    private watch(): void {
      const browser = this.browser;
      if (!browser || browser === this.watched) return;
      this.watched = browser;
      this.sinceLaunch = 0;
      this.recycling = false;
      opts.stats.launches++;
      const pid = browser.process()?.pid;
      const stopLowering = keepLowered(pid, opts.nice);
      if (opts.nice > 0) opts.log.debug({ pid, nice: opts.nice }, 'chromium runs at a lower priority');
      browser.once('disconnected', () => {
        stopLowering();
        if (this.watched === browser && !opts.stats.closing && !this.recycling) {
          opts.log.warn('chromium disconnected; it will be restarted');
          this.requestRestart();
        }
      });
    }

    // Every launch, first or after a restart, is watched at once: not only when a task comes.
    override async init(): Promise<void> {
      await super.init();
      this.watch();
    }

    override async repair(): Promise<void> {
      await super.repair();
      this.watch();
    }

    async createResources(): Promise<{ context: BrowserContext; page: Page }> {
      const browser = this.browser;
      if (!browser) throw new Error('no browser');
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      opts.stats.tasks++;
      if (++this.sinceLaunch >= opts.recycleAfter) {
        this.recycling = true;
        this.requestRestart();
      }
      return { context, page };
    }

    async freeResources(resources: { context: BrowserContext }): Promise<void> {
      await resources.context.close().catch(() => undefined);
    }
  };
}

export class Browsers implements BrowserRunner {
  private constructor(
    private readonly cluster: ClusterInstance,
    /** Shared with the concurrency class, which counts launches and tasks. */
    readonly stats: BrowserStats,
  ) {}

  static async launch(opts: {
    executablePath: string;
    headless: boolean;
    slots: number;
    timeoutMs: number;
    recycleAfter: number;
    nice: number;
    log: Logger;
  }): Promise<Browsers> {
    const stats: BrowserStats = { launches: 0, tasks: 0, closing: false };
    const cluster = await Cluster.launch({
      // The declared type names puppeteer's (not installed) classes; the runtime contract is the base class.
      concurrency: recyclingContext({ recycleAfter: opts.recycleAfter, nice: opts.nice, stats, log: opts.log }) as unknown as number,
      maxConcurrency: opts.slots,
      puppeteer,
      puppeteerOptions: {
        executablePath: opts.executablePath,
        headless: opts.headless,
        pipe: true,
        // Our own shutdown drains the slots first; puppeteer's handlers would kill Chromium at once.
        handleSIGTERM: false,
        handleSIGINT: false,
        handleSIGHUP: false,
        // A call into a crashed or hung page fails after this instead of puppeteer's 180 s.
        protocolTimeout: 30_000,
        args: CHROMIUM_ARGS,
        defaultViewport: { width: 1280, height: 900 },
      } as never,
      timeout: opts.timeoutMs,
      // One retry layer only: Bee-Queue decides about retries.
      retryLimit: 0,
      monitor: false,
    });
    cluster.on('taskerror', (err: Error) => opts.log.debug({ err: err.message }, 'cluster task error'));
    return new Browsers(cluster, stats);
  }

  run<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    return this.cluster.execute(undefined, async ({ page }: { page: Page }) => {
      page.setDefaultTimeout(15_000);
      page.setDefaultNavigationTimeout(30_000);
      return fn(page);
    }) as Promise<T>;
  }

  async close(): Promise<void> {
    await this.cluster.idle().catch(() => undefined);
    this.stats.closing = true;
    await this.cluster.close().catch(() => undefined);
  }
}
