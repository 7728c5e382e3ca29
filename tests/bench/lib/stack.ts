/**
 * The real stack as the benchmarks use it: Redis, FerretDB, sandbox, server, workers, with the
 * per-user limits lifted so that load comes from many clients rather than being refused.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot, startApp, type AppHandle, type Env, type StackOptions } from '@zpub/devstack';
import { profileMarkdown, summarizeProfile } from './profile';
import { User } from '../../support/client';
import { allProcs, tree } from '../../support/procs';
import { bootStack, type TestStack } from '../../support/stack';

/** The sandbox's own default delay (apps/sandbox/src/env.ts): what "realistic" means here. */
export const SANDBOX_DELAY_MS = 300;

export const BENCH_SERVER_ENV = {
  USER_MAX_PER_MINUTE: '100000',
  REGISTER_MAX_PER_MINUTE: '100000',
  LOGIN_MAX_PER_MINUTE: '1000',
};

/**
 * The server with the V8 sampling profiler at hand (lib/profiled-main.mjs), off until
 * `profileStart()`; `profile(what)` stops it and returns a summary of what it saw. Measured
 * phases run with it off: it costs the server a little.
 */
export interface ProfiledStack extends TestStack {
  profileStart(): Promise<void>;
  profile(what: string): Promise<string>;
  /** A full garbage collection in the server (through its inspector); false when it could not be done. */
  collectGarbage(): Promise<boolean>;
}

export async function benchStack(opts: StackOptions & { delayMs?: number; profileServer?: boolean } = {}): Promise<ProfiledStack> {
  const { delayMs, profileServer, ...rest } = opts;
  const profDir = profileServer ? mkdtempSync(join(tmpdir(), 'zpub-bench-prof-')) : null;
  const profFile = profDir ? join(profDir, 'server.cpuprofile') : '';
  const root = repoRoot();
  const stack = await bootStack({
    logLevel: 'warn',
    graceMs: 15_000,
    ...rest,
    ...(profDir ? { entries: { server: join(root, 'tests', 'bench', 'lib', 'profiled-main.mjs') } } : {}),
    sandboxEnv: { SANDBOX_DELAY_MS: String(delayMs ?? SANDBOX_DELAY_MS), ...rest.sandboxEnv },
    serverEnv: {
      USER_MAX_RUNNING: '4',
      ...BENCH_SERVER_ENV,
      ...(profDir ? { PROFILE_MAIN: join(root, 'apps', 'server', 'dist', 'main.js'), PROFILE_OUT: profFile, WEB_DIST_DIR: join(root, 'apps', 'web', 'dist') } : {}),
      ...rest.serverEnv,
    },
    workerEnv: { ...rest.workerEnv },
  });
  const stop = stack.stop.bind(stack);
  let profiling = false;
  return Object.assign(stack, {
    async profileStart(): Promise<void> {
      if (!profDir || profiling) return;
      profiling = true;
      stack.server.signal('SIGUSR2');
      await sleep(100);
    },
    async profile(what: string): Promise<string> {
      if (!profDir || !profiling) return '';
      profiling = false;
      rmSync(profFile, { force: true });
      stack.server.signal('SIGUSR2');
      for (let i = 0; i < 100 && !existsSync(profFile); i++) await sleep(100);
      await sleep(300);
      if (!existsSync(profFile)) return '(no profile was written)';
      // BENCH_KEEP_PROFILES=<dir> keeps the raw profiles for a closer look (Chrome DevTools opens them).
      const keep = process.env.BENCH_KEEP_PROFILES;
      if (keep && what) {
        mkdirSync(keep, { recursive: true });
        copyFileSync(profFile, join(keep, `server-${Date.now()}.cpuprofile`));
      }
      return profileMarkdown(summarizeProfile(profFile), what);
    },
    async collectGarbage(): Promise<boolean> {
      if (!profDir) return false;
      rmSync(`${profFile}.gc-done`, { force: true });
      writeFileSync(`${profFile}.gc`, '');
      stack.server.signal('SIGUSR2');
      for (let i = 0; i < 100 && !existsSync(`${profFile}.gc-done`); i++) await sleep(100);
      return existsSync(`${profFile}.gc-done`);
    },
    async stop() {
      await stop();
      if (profDir) rmSync(profDir, { recursive: true, force: true });
    },
    async [Symbol.asyncDispose]() {
      await stop();
      if (profDir) rmSync(profDir, { recursive: true, force: true });
    },
  });
}

export interface BenchUser {
  user: User;
  accountId: string;
  accountName: string;
}

/** Registers `n` users with one sandbox account each, a few at a time (each costs an argon2 hash). */
export async function makeUsers(baseUrl: string, n: number, tag: string): Promise<BenchUser[]> {
  const out: BenchUser[] = [];
  const stamp = Date.now().toString(36);
  for (let i = 0; i < n; i += 4) {
    const chunk = await Promise.all(
      Array.from({ length: Math.min(4, n - i) }, async (_, j) => {
        const k = i + j;
        const user = await User.register(baseUrl, `${tag}${k}-${stamp}@bench.example.com`);
        const account = await user.sandboxAccount(`${tag}${k}${stamp}`);
        return { user, accountId: account.id, accountName: account.name };
      }),
    );
    out.push(...chunk);
  }
  return out;
}

/** The session cookie a User holds, for load tools that speak HTTP themselves. */
export function sessionCookie(u: User): string {
  if (!u.cookie.includes('zpub_sid=')) throw new Error('the user has no session cookie');
  return u.cookie;
}

function pssKb(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    return Number(/^Pss:\s+(\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** RSS (summed, so shared pages count once per process) and PSS (shared pages split) of a process tree. */
export function treeMemory(pid: number): { rssBytes: number; pssBytes: number; processes: number } {
  const procs = tree(pid, allProcs());
  let rss = 0;
  let pss = 0;
  for (const p of procs) {
    rss += p.rssKb;
    pss += pssKb(p.pid);
  }
  return { rssBytes: rss * 1024, pssBytes: pss * 1024, processes: procs.length };
}

export function processRss(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** CPU seconds (user + system) used so far by a process and everything below it. */
export function cpuSeconds(pid: number): number {
  return tree(pid, allProcs()).reduce((total, p) => total + p.cpuS, 0);
}

/** CPU seconds of the stack's parts between `start()` and `stop()`: where the time went. */
export function cpuMeter(parts: Record<string, number | undefined>): { stop(): Record<string, number> } {
  const pids = Object.entries(parts).filter((e): e is [string, number] => e[1] !== undefined);
  const before = new Map(pids.map(([k, pid]) => [k, cpuSeconds(pid)]));
  const self0 = process.cpuUsage();
  return {
    stop() {
      const out: Record<string, number> = {};
      for (const [k, pid] of pids) out[k] = cpuSeconds(pid) - (before.get(k) ?? 0);
      const self = process.cpuUsage(self0);
      out['benchmark client'] = (self.user + self.system) / 1e6;
      return out;
    },
  };
}

export function cpuTable(used: Record<string, number>, seconds: number): string {
  return Object.entries(used)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${(v / seconds).toFixed(2)}`)
    .join(', ');
}

/**
 * Starts a baseline server of tests/bench/baselines (a process of its own, like an app) on a free
 * port, logging into the stack's log folder; stopped with the returned handle.
 */
export async function startBaseline(stack: TestStack, name: 'submit-handler' | 'relay', env: Env): Promise<AppHandle> {
  const port = await freePort();
  return startApp('server', {
    entry: join(repoRoot(), 'tests', 'bench', 'baselines', 'launch.mjs'),
    port,
    label: `baseline-${name}`,
    logFile: join(stack.dir, 'logs', `baseline-${name}.log`),
    // The same NODE_ENV as the server it is compared with.
    env: { NODE_ENV: stack.server.env.NODE_ENV ?? 'test', ...env, BENCH_BASELINE: name, PORT: String(port) },
  });
}

/**
 * Waits until the given processes are nearly idle (together below `cores` over half a second),
 * so what one phase left behind (a projector catching up, a GC) is not charged to the next.
 * Gives up quietly after `maxMs`: a process that never idles is a figure of its own.
 */
export async function quiesce(pids: (number | undefined)[], cores = 0.15, maxMs = 20_000): Promise<number> {
  const list = pids.filter((p): p is number => p !== undefined);
  const t0 = Date.now();
  for (;;) {
    const before = list.reduce((a, p) => a + cpuSeconds(p), 0);
    await sleep(500);
    const used = (list.reduce((a, p) => a + cpuSeconds(p), 0) - before) / 0.5;
    if (used < cores || Date.now() - t0 > maxMs) return Date.now() - t0;
  }
}
