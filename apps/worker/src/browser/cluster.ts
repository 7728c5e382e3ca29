/**
 * The Chromium slots of this worker: a puppeteer-cluster where every task gets a browser context
 * of its own (accounts never share cookies). The browser is restarted after a number of tasks
 * and after a crash; Chromium talks over a pipe, so it exits when this process dies, however.
 * Headless by default; headful Chromium draws on a private Xvfb display (xvfb.ts).
 */
import { createRequire } from 'node:module';
import type { Logger } from '@zpub/shared/node';
import clusterPkg, { type Cluster as ClusterInstance } from 'puppeteer-cluster';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { BrowserRunner } from './runner';
import { keepLowered } from './priority';
import { VirtualDisplay } from './xvfb';

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

/** Screen size of the virtual display in headful mode: a common desktop one. */
const SCREEN = { width: 1920, height: 1080 };

export class Browsers implements BrowserRunner {
  private constructor(
    private readonly cluster: ClusterInstance,
    /** Shared with the concurrency class, which counts launches and tasks. */
    readonly stats: BrowserStats,
    private readonly display: VirtualDisplay | null,
  ) {}

  static async launch(opts: {
    executablePath: string;
    headless: boolean;
    slots: number;
    timeoutMs: number;
    recycleAfter: number;
    nice: number;
    log: Logger;
    /** Headful only: the virtual display went away, so no browser can start any more. */
    onDisplayLost?: (reason: string) => void;
  }): Promise<Browsers> {
    const stats: BrowserStats = { launches: 0, tasks: 0, closing: false };
    const display = opts.headless
      ? null
      : await VirtualDisplay.start({
          ...SCREEN,
          onLost: (reason) => {
            opts.log.error({ reason }, 'the virtual display of headful Chromium is gone');
            opts.onDisplayLost?.(reason);
          },
        });
    if (display) opts.log.info({ display: display.display, xvfb: display.pid }, 'headful Chromium on a virtual display (Xvfb)');
    const args = display ? [...CHROMIUM_ARGS, '--ozone-platform=x11', `--display=${display.display}`, `--window-size=${SCREEN.width},${SCREEN.height}`] : CHROMIUM_ARGS;
    let cluster: ClusterInstance;
    try {
      cluster = await Cluster.launch({
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
          args,
          defaultViewport: { width: 1280, height: 900 },
        } as never,
        timeout: opts.timeoutMs,
        // One retry layer only: Bee-Queue decides about retries.
        retryLimit: 0,
        monitor: false,
      });
    } catch (err) {
      await display?.stop();
      throw err;
    }
    cluster.on('taskerror', (err: Error) => opts.log.debug({ err: err.message }, 'cluster task error'));
    return new Browsers(cluster, stats, display);
  }

  /**
   * Whether this Chromium draws Chinese with real glyphs. Without a CJK font every Chinese
   * character falls back to the same missing-glyph box, so two different characters and a code
   * point no font has come out pixel for pixel the same. (document.fonts.check cannot tell: it
   * answers true for any font it does not have to download.)
   */
  async drawsChinese(): Promise<boolean> {
    return this.run((page) =>
      page.evaluate(() => {
        const canvas = document.createElement('canvas');
        canvas.width = 64;
        canvas.height = 64;
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        if (!ctx) throw new Error('no 2d canvas');
        const draw = (text: string): Uint8ClampedArray => {
          ctx.clearRect(0, 0, 64, 64);
          ctx.font = '48px sans-serif';
          ctx.fillText(text, 4, 52);
          return ctx.getImageData(0, 0, 64, 64).data;
        };
        const same = (a: Uint8ClampedArray, b: Uint8ClampedArray): boolean => a.every((v, i) => v === b[i]);
        const zhong = draw('中');
        return !same(zhong, draw('文')) && !same(zhong, draw('\u{10FFFD}'));
      }),
    );
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
    await this.display?.stop();
  }
}
