import type { Page } from 'puppeteer-core';

/** Runs one unit of browser work in a page of its own browser context (cluster.ts provides it). */
export interface BrowserRunner {
  run<T>(fn: (page: Page) => Promise<T>): Promise<T>;
}
