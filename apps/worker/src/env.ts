import { hostname } from 'node:os';
import { booleanFromEnv, commonEnvShape, parseEnv } from '@zpub/shared/node';
import { z } from 'zod';

const schema = z.object({
  ...commonEnvShape,
  WORKER_ID: z.string().regex(/^[A-Za-z0-9_.:-]{1,80}$/).default(`${hostname()}-${process.pid}`),
  /** Chromium slots of this worker; each task runs in its own browser context. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
  /** /healthz, /readyz and /metrics; 0 picks a free port. */
  WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3200),
  WORKER_HTTP_HOST: z.string().default('127.0.0.1'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /**
   * false: a full (headful) Chromium drawing on a private Xvfb display, for sites whose anti-bot
   * checks turn headless Chromium away (Zhihu's /account/unhuman). Needs Xvfb (Debian: xvfb).
   */
  BROWSER_HEADLESS: booleanFromEnv.default(true),
  /** Origins of the real site for accounts on the `zhihu` platform (overridable for staging). */
  ZHIHU_WWW_ORIGIN: z.url().default('https://www.zhihu.com'),
  ZHIHU_ZHUANLAN_ORIGIN: z.url().default('https://zhuanlan.zhihu.com'),
  /** Upload tickets for local images (docs/zhihu.md). */
  ZHIHU_API_ORIGIN: z.url().default('https://api.zhihu.com'),
  /** Where image bytes are PUT (Aliyun OSS behind Zhihu's image host). */
  ZHIHU_IMAGE_UPLOAD_ORIGIN: z.url().default('https://zhihu-pics-upload.zhimg.com'),
  /** A task that takes longer is ended and its browser context closed. */
  TASK_TIMEOUT_MS: z.coerce.number().int().min(5000).max(600_000).default(120_000),
  /** How long the article page may take to appear after the publishing click (Zhihu's own bound is 15 s). */
  REDIRECT_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
  /** On SIGTERM, running tasks get this long to finish before the rest are handed back. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * Chromium runs this much nicer than the worker and the rest of the machine (0: not at all).
   * Off by default: on 2 shared cores it cut fan-out p95 from 1.5 s to 0.1 s but publishing
   * throughput by about a fifth (BENCHMARKS.md, and the closing note of issue 7).
   */
  BROWSER_NICE: z.coerce.number().int().min(0).max(19).default(0),
  /** Chromium is restarted after this many tasks, to keep its memory flat. */
  BROWSER_RECYCLE_AFTER: z.coerce.number().int().min(1).max(100_000).default(100),
  HEARTBEAT_MS: z.coerce.number().int().min(200).max(60_000).default(2000),
});

export type Env = z.infer<typeof schema>;

export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseEnv(schema, source);
}
