import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ServiceHandle, TAG_VAR, spawnReady, type ProcessHandle } from './proc.js';
import { repoRoot, type Env } from './util.js';

export type AppName = 'sandbox' | 'server' | 'worker';

/**
 * Every variable the apps read. They are removed from the inherited environment before a child
 * starts, so a developer's shell (or vitest's NODE_ENV) never leaks into a stack: an app sees
 * exactly what its starter passes.
 */
export const APP_ENV_VARS = [
  'MONGODB_URI', 'REDIS_URL', 'REDIS_PREFIX', 'DATA_DIR', 'LOG_LEVEL', 'NODE_ENV',
  'SANDBOX_HOST', 'SANDBOX_PORT', 'SANDBOX_DELAY_MS', 'SANDBOX_DATA_FILE',
  'HOST', 'PORT', 'PUBLIC_ORIGIN', 'WEB_DIST_DIR', 'SANDBOX_ORIGIN',
  'WORKER_ID', 'WORKER_CONCURRENCY', 'WORKER_HTTP_PORT', 'CHROMIUM_PATH', 'BROWSER_HEADLESS',
] as const;

export interface StartAppOptions {
  /** Variables for the app, on top of the inherited environment minus APP_ENV_VARS. */
  env?: Env;
  /** The port the app listens on for health checks (PORT, SANDBOX_PORT or WORKER_HTTP_PORT). */
  port: number;
  /** Default '/healthz'; ready when GET answers 200. */
  healthPath?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Echo the output to our stdout with a `[label]` prefix. */
  echo?: boolean;
  /** Name in logs and errors; default the app name (e.g. 'worker-2'). */
  label?: string;
  /** Default 60 s. */
  readyTimeoutMs?: number;
  /** Default graceMs of stop(): 10 s. */
  graceMs?: number;
  /** Script to run instead of apps/<name>/dist/main.js (for tests of devstack itself). */
  entry?: string;
  signal?: AbortSignal;
}

export interface AppHandle extends ProcessHandle {
  readonly app: AppName;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The environment the app was started with (without inherited variables). */
  readonly env: Readonly<Env>;
}

export function appEntry(name: AppName): string {
  return join(repoRoot(), 'apps', name, 'dist', 'main.js');
}

/** process.env without the variables the apps read (and without our own tag). */
export function inheritedEnv(): Env {
  const env: Env = { ...process.env };
  for (const key of APP_ENV_VARS) delete env[key];
  delete env[TAG_VAR];
  return env;
}

export async function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

class App extends ServiceHandle implements AppHandle {
  constructor(
    readonly app: AppName,
    label: string,
    port: number,
    logFile: string,
    readonly env: Readonly<Env>,
    launch: (port: number) => ReturnType<typeof spawnReady>,
    graceMs: number,
  ) {
    super(label, port, logFile, launch, graceMs);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}

/**
 * Runs `node apps/<name>/dist/main.js` in its own process group (cwd apps/<name>), output
 * appended to logFile; resolves when GET http://127.0.0.1:<port><healthPath> answers 200.
 * Fails with the log's last 40 lines when the app exits first or is not ready in time.
 */
export async function startApp(name: AppName, opts: StartAppOptions): Promise<AppHandle> {
  const entry = opts.entry ?? appEntry(name);
  if (!existsSync(entry)) {
    throw new Error(`devstack: ${entry} does not exist; build the apps first (pnpm build, or ./dev bootstrap)`);
  }
  const label = opts.label ?? name;
  const appEnv: Env = { ...(opts.env ?? {}) };
  const env: Env = { ...inheritedEnv(), ...appEnv };
  const healthPath = opts.healthPath ?? '/healthz';
  const launch = (port: number): ReturnType<typeof spawnReady> =>
    spawnReady(
      {
        name: label,
        command: process.execPath,
        args: ['--enable-source-maps', entry],
        env,
        cwd: opts.entry === undefined ? join(repoRoot(), 'apps', name) : dirname(entry),
        logFile: opts.logFile,
        echo: opts.echo === true,
      },
      () => httpOk(`http://127.0.0.1:${port}${healthPath}`),
      {
        what: `GET http://127.0.0.1:${port}${healthPath} answered 200`,
        timeoutMs: opts.readyTimeoutMs ?? 60_000,
        intervalMs: 200,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
    );
  const handle = new App(name, label, opts.port, opts.logFile, appEnv, launch, opts.graceMs ?? 10_000);
  await handle.start();
  return handle;
}
