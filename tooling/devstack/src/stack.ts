// startStack: Redis + FerretDB + sandbox + server + N workers, wired together, on free ports
// in one folder, with a queue prefix and database name of their own. stop() undoes all of it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type AppHandle, type AppName } from './app.js';
import { ensureChromium, ensureFerretdb } from './binaries.js';
import { indexFerretIds, startFerret, type FerretHandle } from './ferret.js';
import { freePort } from './ports.js';
import { startRedis, type RedisHandle } from './redis.js';
import { onExitSync } from './proc.js';
import { repoRoot, type Env } from './util.js';

export interface StackOptions {
  /** Root folder (redis/, ferretdb/, sandbox/, logs/; also DATA_DIR). Default: a new temp folder. */
  dir?: string;
  /** Keep the temp root after stop() (also when DEVSTACK_KEEP=1). A given `dir` is never removed. */
  keepDir?: boolean;
  /** Use this Redis instead of starting one. */
  redisUrl?: string;
  /** Use this MongoDB instead of starting FerretDB (its database part is replaced by dbName). */
  mongoUri?: string;
  /** REDIS_PREFIX; default unique per stack ('zpub-<hex>'). */
  prefix?: string;
  /** Database name; default unique per stack ('zpub_<hex>'). */
  dbName?: string;
  /** Number of workers to start (default 1; 0 is fine). */
  workers?: number;
  /** Fixed ports; free ones where absent. */
  ports?: { redis?: number; ferret?: number; sandbox?: number; server?: number; workers?: number[] };
  /** Added to every app's environment (after the computed defaults). */
  env?: Env;
  sandboxEnv?: Env;
  serverEnv?: Env;
  /** Added to every worker's environment (addWorker(env) adds more). */
  workerEnv?: Env;
  /** NODE_ENV for the apps (default 'test'). */
  nodeEnv?: string;
  /** LOG_LEVEL for the apps (default 'info'). */
  logLevel?: string;
  /** Echo app output with [name] prefixes. */
  echo?: boolean;
  /** Scripts to run instead of apps/<name>/dist/main.js (for tests of devstack itself). */
  entries?: Partial<Record<AppName, string>>;
  /** Per app; default 60 s. */
  readyTimeoutMs?: number;
  /** Grace before SIGKILL when stop() stops an app (default 10 s). */
  graceMs?: number;
  /** Abort a start in progress (what started is stopped). */
  signal?: AbortSignal;
}

export interface Stack {
  readonly dir: string;
  readonly prefix: string;
  readonly dbName: string;
  readonly urls: {
    /** The SPA and /trpc: http://127.0.0.1:<server port> */
    app: string;
    trpc: string;
    sandbox: string;
    redis: string;
    /** MongoDB URI including the database name. */
    mongo: string;
  };
  /** null when redisUrl / mongoUri were given. */
  readonly redis: RedisHandle | null;
  readonly ferret: FerretHandle | null;
  readonly sandbox: AppHandle;
  readonly server: AppHandle;
  /** Every worker started so far (stopped ones stay in the list). */
  readonly workers: AppHandle[];
  /** Starts one more worker (WORKER_ID worker-<n>) and waits for its /healthz. */
  addWorker(env?: Env): Promise<AppHandle>;
  /** Stops everything in reverse order (workers, server, sandbox, FerretDB, Redis); idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Replaces the database path of a mongodb:// or mongodb+srv:// URI, keeping hosts and options. */
export function withDatabase(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`devstack: not a MongoDB URI: ${uri}`);
  return `${m[1]}/${dbName}${m[3] ?? ''}`;
}

interface Stoppable {
  stop(opts?: { graceMs?: number }): Promise<void>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const id = randomBytes(4).toString('hex');
  const prefix = opts.prefix ?? `zpub-${id}`;
  const dbName = opts.dbName ?? `zpub_${id}`;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'zpub-stack-'));
  const keep = opts.keepDir === true || process.env['DEVSTACK_KEEP'] === '1';
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const graceMs = opts.graceMs ?? 10_000;
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  // If our process dies before stop(), the exit hook kills the children; this removes the folder.
  const forgetDir = ownDir && !keep ? onExitSync(removeDir) : () => false;
  const started: Stoppable[] = [];
  const workers: AppHandle[] = [];

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const errors: unknown[] = [];
      for (const s of [...started].reverse()) {
        try {
          await s.stop({ graceMs });
        } catch (err) {
          errors.push(err);
        }
      }
      if (ownDir && !keep) removeDir();
      forgetDir();
      if (errors.length > 0) throw new AggregateError(errors, 'devstack: some processes did not stop cleanly');
    })();
    return stopping;
  };

  const abortIfNeeded = (): void => {
    if (opts.signal?.aborted === true) throw new Error('devstack: stack start aborted');
  };
  const signalOpt = opts.signal ? { signal: opts.signal } : {};

  try {
    const workerCount = opts.workers ?? 1;
    // Fail on missing programs before starting anything.
    const chromium = workerCount > 0 ? ensureChromium() : process.env['CHROMIUM_PATH'];
    const ferretBin = opts.mongoUri === undefined ? await ensureFerretdb() : undefined;

    let redis: RedisHandle | null = null;
    let redisUrl = opts.redisUrl;
    if (redisUrl === undefined) {
      redis = await startRedis({ dir: join(dir, 'redis'), logFile: join(logs, 'redis.log'), ...(opts.ports?.redis ? { port: opts.ports.redis } : {}) });
      started.push(redis);
      redisUrl = redis.url;
    }
    abortIfNeeded();

    let ferret: FerretHandle | null = null;
    let mongo: string;
    if (opts.mongoUri !== undefined) {
      mongo = withDatabase(opts.mongoUri, dbName);
    } else {
      ferret = await startFerret({
        dir: join(dir, 'ferretdb'),
        logFile: join(logs, 'ferretdb.log'),
        ...(ferretBin ? { bin: ferretBin } : {}),
        ...(opts.ports?.ferret ? { port: opts.ports.ferret } : {}),
      });
      started.push(ferret);
      mongo = ferret.uri(dbName);
    }
    abortIfNeeded();

    const common: Env = {
      MONGODB_URI: mongo,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      DATA_DIR: dir,
      LOG_LEVEL: opts.logLevel ?? 'info',
      NODE_ENV: opts.nodeEnv ?? 'test',
    };
    const appOpts = (name: AppName, label: string) => ({
      logFile: join(logs, `${label}.log`),
      label,
      echo: opts.echo === true,
      graceMs,
      ...(opts.readyTimeoutMs !== undefined ? { readyTimeoutMs: opts.readyTimeoutMs } : {}),
      ...(opts.entries?.[name] !== undefined ? { entry: opts.entries[name] } : {}),
      ...signalOpt,
    });

    const sandboxPort = opts.ports?.sandbox ?? (await freePort());
    const sandboxOrigin = `http://127.0.0.1:${sandboxPort}`;
    const sandbox = await startApp('sandbox', {
      ...appOpts('sandbox', 'sandbox'),
      port: sandboxPort,
      env: {
        ...common,
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_DATA_FILE: join(dir, 'sandbox', 'articles.json'),
        ...opts.env,
        ...opts.sandboxEnv,
      },
    });
    started.push(sandbox);
    abortIfNeeded();

    const serverPort = opts.ports?.server ?? (await freePort());
    const appUrl = `http://127.0.0.1:${serverPort}`;
    const server = await startApp('server', {
      ...appOpts('server', 'server'),
      port: serverPort,
      env: {
        ...common,
        HOST: '127.0.0.1',
        PORT: String(serverPort),
        PUBLIC_ORIGIN: appUrl,
        WEB_DIST_DIR: join(repoRoot(), 'apps', 'web', 'dist'),
        SANDBOX_ORIGIN: sandboxOrigin,
        ...opts.env,
        ...opts.serverEnv,
      },
    });
    started.push(server);
    // The server has created every collection by now (its models' indexes are ensured at start).
    if (ferret) await indexFerretIds(ferret.dir, dbName);

    const addWorker = async (env: Env = {}): Promise<AppHandle> => {
      abortIfNeeded();
      const n = workers.length + 1;
      const port = opts.ports?.workers?.[n - 1] ?? (await freePort());
      const worker = await startApp('worker', {
        ...appOpts('worker', `worker-${n}`),
        port,
        env: {
          ...common,
          WORKER_ID: `worker-${n}`,
          WORKER_HTTP_PORT: String(port),
          SANDBOX_ORIGIN: sandboxOrigin,
          ...(chromium !== undefined ? { CHROMIUM_PATH: chromium } : {}),
          ...opts.env,
          ...opts.workerEnv,
          ...env,
        },
      });
      workers.push(worker);
      started.push(worker);
      return worker;
    };
    for (let i = 0; i < workerCount; i++) await addWorker();

    return {
      dir,
      prefix,
      dbName,
      urls: { app: appUrl, trpc: `${appUrl}/trpc`, sandbox: sandboxOrigin, redis: redisUrl, mongo },
      redis,
      ferret,
      sandbox,
      server,
      workers,
      addWorker,
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
