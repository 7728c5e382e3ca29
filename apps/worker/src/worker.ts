/**
 * One worker process: takes publish jobs from Bee-Queue into its Chromium slots, announces itself
 * with a heartbeat, aborts tasks that are cancelled or taken over, and shuts down gracefully.
 */
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import {
  TaskStates,
  connectMongo,
  createQueue,
  createRedis,
  loadSecretBox,
  redisKeys,
  type Logger,
  type Models,
  type RedisClient,
} from '@zpub/shared/node';
import { note } from '@zpub/shared';
import type BeeQueue from 'bee-queue';
import type { Connection } from 'mongoose';
import type { Origins } from './adapters/zhihu/publish';
import { Browsers } from './browser/cluster';
import type { Env } from './env';
import { handlePublish, type JobData, type Running } from './jobs/publish';
import { WorkerMetrics } from './metrics';

export class WorkerApp {
  private readonly running = new Map<string, Running>();
  private readonly startedAt = new Date().toISOString();
  private done = 0;
  private failed = 0;
  private draining = false;
  private timers: NodeJS.Timeout[] = [];
  private http: Server | null = null;
  private readonly metrics: WorkerMetrics;
  /** Whether Chromium draws Chinese (a CJK font is installed); null when the check itself failed. */
  private drawsChinese: boolean | null = null;
  port = 0;

  private constructor(
    private readonly env: Env,
    private readonly log: Logger,
    private readonly conn: Connection,
    private readonly models: Models,
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly queue: BeeQueue<JobData>,
    private readonly browsers: Browsers,
    private readonly states: TaskStates,
  ) {
    this.metrics = new WorkerMetrics(env.WORKER_CONCURRENCY, () => this.running.size, browsers.stats);
  }

  /** `onFatal`: something the worker cannot recover from by itself (the process should exit and be restarted). */
  static async start(env: Env, log: Logger, onFatal: (reason: string) => void = () => undefined): Promise<WorkerApp> {
    const keys = redisKeys(env.REDIS_PREFIX);
    const { box } = loadSecretBox({
      key: env.ZPUB_SECRET_KEY,
      previous: env.ZPUB_SECRET_KEY_PREVIOUS,
      dataDir: env.DATA_DIR,
      production: env.NODE_ENV === 'production',
    });
    const { conn, models } = await connectMongo(env.MONGODB_URI);
    const redis = createRedis(env.REDIS_URL, log, 'commands');
    const subscriber = createRedis(env.REDIS_URL, log, 'pubsub');
    await Promise.all([redis.connect(), subscriber.connect()]);
    const browsers = await Browsers.launch({
      executablePath: env.CHROMIUM_PATH,
      headless: env.BROWSER_HEADLESS,
      slots: env.WORKER_CONCURRENCY,
      timeoutMs: env.TASK_TIMEOUT_MS,
      recycleAfter: env.BROWSER_RECYCLE_AFTER,
      nice: env.BROWSER_NICE,
      log,
      onDisplayLost: onFatal,
    });
    const queue = createQueue(keys, env.REDIS_URL, log, { worker: true, stallInterval: env.STALL_INTERVAL_MS });
    const app = new WorkerApp(env, log, conn, models, redis, subscriber, queue, browsers, new TaskStates(redis, keys, { streamMaxLen: env.EVENT_STREAM_MAXLEN, terminalTtlS: env.TASK_ROW_TTL_S }));
    await app.checkFonts();
    await app.begin(keys.cancelChannel, keys.workers, box);
    return app;
  }

  private origins(platform: string): Origins {
    if (platform === 'sandbox') {
      const o = this.env.SANDBOX_ORIGIN;
      return { www: o, zhuanlan: o, api: o, imageUpload: o };
    }
    return {
      www: this.env.ZHIHU_WWW_ORIGIN,
      zhuanlan: this.env.ZHIHU_ZHUANLAN_ORIGIN,
      api: this.env.ZHIHU_API_ORIGIN,
      imageUpload: this.env.ZHIHU_IMAGE_UPLOAD_ORIGIN,
    };
  }

  private async begin(cancelChannel: string, workersKey: string, box: ReturnType<typeof loadSecretBox>['box']): Promise<void> {
    await this.subscriber.subscribe(cancelChannel, (taskId) => {
      const r = this.running.get(taskId);
      if (r) {
        this.log.info({ taskId, attempt: r.attempt }, 'cancel received; closing the browser context');
        r.controller.abort();
      }
    });
    // A missed cancel message, or another worker that took the task over, is noticed here.
    this.timers.push(setInterval(() => void this.checkOwnership(), 1000));
    const beat = () => void this.heartbeat(workersKey);
    beat();
    this.timers.push(setInterval(beat, this.env.HEARTBEAT_MS));
    this.workersKey = workersKey;

    this.queue.process(this.env.WORKER_CONCURRENCY, (job) =>
      handlePublish(job, {
        env: this.env,
        models: this.models,
        states: this.states,
        box,
        browser: this.browsers,
        running: this.running,
        origins: (p) => this.origins(p),
        log: this.log,
        onFinished: (status, startedAt) => {
          if (status === 'success') this.done++;
          else this.failed++;
          this.metrics.record(status, startedAt);
          // The Workers page shows counts as tasks end, not one heartbeat later.
          beat();
        },
      }),
    );
    // Stalled jobs (their worker died) go back to the queue; every worker checks on a schedule.
    void this.queue.checkStalledJobs(this.env.STALL_INTERVAL_MS);
    await this.listen();
    this.log.info({ slots: this.env.WORKER_CONCURRENCY, port: this.port, worker: this.env.WORKER_ID }, 'worker ready');
  }

  private workersKey = '';

  /** Publishing works without a CJK font, but failure screenshots then show boxes for Chinese. */
  private async checkFonts(): Promise<void> {
    try {
      this.drawsChinese = await this.browsers.drawsChinese();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not check whether Chromium has a Chinese font');
      return;
    }
    if (!this.drawsChinese) {
      this.log.warn(
        'no Chinese (CJK) font: Chromium draws Chinese as boxes, so failure screenshots are unreadable. Install one (Debian: apt-get install fonts-noto-cjk) and restart the worker',
      );
    }
  }

  private async checkOwnership(): Promise<void> {
    for (const r of this.running.values()) {
      // An attempt that wrote its own ending is only tidying up (the account's state, counters).
      if (r.controller.signal.aborted || r.ended) continue;
      const live = await this.states.get(r.taskId).catch(() => undefined);
      if (live === undefined) continue; // Redis unreachable: keep going, nothing is known
      if (!live || live.status !== 'running' || live.attempt !== r.attempt) {
        this.log.info({ taskId: r.taskId, attempt: r.attempt, now: live?.status }, 'task no longer ours; aborting');
        r.controller.abort();
      }
    }
  }

  private async heartbeat(key: string): Promise<void> {
    const info = {
      host: hostname(),
      pid: process.pid,
      slots: this.env.WORKER_CONCURRENCY,
      busy: this.running.size,
      done: this.done,
      failed: this.failed,
      startedAt: this.startedAt,
      lastSeen: new Date().toISOString(),
      draining: this.draining,
    };
    await this.redis.hSet(key, this.env.WORKER_ID, JSON.stringify(info)).catch(() => undefined);
  }

  private listen(): Promise<void> {
    this.http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      } else if (path === '/readyz') {
        const ok = this.redis.isReady && this.conn.readyState === 1 && !this.draining;
        // cjkFont is information, not readiness: the worker publishes fine without one.
        const body = { ok, draining: this.draining, cjkFont: this.drawsChinese, headless: this.env.BROWSER_HEADLESS };
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      } else if (path === '/metrics') {
        this.metrics.registry.metrics().then(
          (body) => res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType }).end(body),
          () => res.writeHead(500).end(),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    return new Promise((resolve) => {
      this.http?.listen(this.env.WORKER_HTTP_PORT, this.env.WORKER_HTTP_HOST, () => {
        const addr = this.http?.address();
        this.port = typeof addr === 'object' && addr ? addr.port : 0;
        resolve();
      });
    });
  }

  /**
   * Stop taking jobs; give running tasks the grace time; hand back the ones that have not clicked
   * 确认发布 yet (another worker starts them at once); close Chromium; leave.
   */
  async shutdown(signal: string): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.log.info({ signal, running: this.running.size }, 'draining');
    await this.heartbeat(this.workersKey);
    const handBack = setTimeout(() => void this.handBack(), Math.max(0, this.env.SHUTDOWN_GRACE_MS - 1500));
    await this.queue.close(this.env.SHUTDOWN_GRACE_MS + 20_000).catch((err: Error) => this.log.warn({ err: err.message }, 'queue close'));
    clearTimeout(handBack);
    for (const t of this.timers) clearInterval(t);
    await this.browsers.close();
    await this.redis.hDel(this.workersKey, this.env.WORKER_ID).catch(() => undefined);
    this.http?.close();
    await Promise.all([this.redis, this.subscriber].map((c) => c.quit().catch(() => c.destroy())));
    await this.conn.close().catch(() => undefined);
    this.log.info('stopped');
  }

  private async handBack(): Promise<void> {
    for (const r of this.running.values()) {
      if (r.submitted || r.ended) continue; // past the click: let it finish its proof
      const res = await this.states.transition(r.taskId, {
        from: ['running'],
        to: 'pending',
        attempt: r.attempt,
        token: r.token,
        stage: 'requeued',
        note: note('handedBack', { worker: this.env.WORKER_ID }),
      });
      this.log.info({ taskId: r.taskId, handedBack: res.ok }, 'handing back');
      r.controller.abort();
    }
  }
}
