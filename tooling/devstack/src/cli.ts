// The long-running half of `./dev start` and `./dev worker` (the bash launcher installs and builds,
// then execs this). Commands: start | worker | status | stop | ensure-ferretdb | reap | help.
// Settings come from the environment and from .env at the repo root (the environment wins).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { APP_ENV_VARS, startApp } from './app.js';
import { ensureChromium, ensureFerretdb } from './binaries.js';
import { isPortFree, whoListens } from './ports.js';
import { OWNER, killAllSync, killRecorded, onSpawn, ownerAlive, reapOrphans, type ProcessHandle } from './proc.js';
import { formatRun, listRunFiles, readRunFile, redactSystem, redactUri, startRunFile, workerRunFile, writeRunFile, type RunFile, type SystemAddress } from './runfile.js';
import { startStack } from './stack.js';
import { Supervisor } from './supervise.js';
import { errorMessage, repoRoot, sleep, type Env } from './util.js';

const say = (msg: string): void => {
  process.stderr.write(`[dev] ${msg}\n`);
};

class UsageError extends Error {}

function loadDotEnv(file: string): void {
  if (!existsSync(file)) return;
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  for (const [key, value] of Object.entries(parsed)) {
    if (value !== undefined && process.env[key] === undefined) process.env[key] = value;
  }
}

/** The environment after .env, and the data folder it names. */
function settings(): { E: NodeJS.ProcessEnv; dataDir: string } {
  const root = repoRoot();
  loadDotEnv(join(root, '.env'));
  return { E: process.env, dataDir: resolve(root, process.env['DATA_DIR'] || '.data') };
}

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${name}=${raw} is not a TCP port`);
  return n;
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name}=${raw} must be an integer >= ${min}`);
  return n;
}

const short = (cmd: string): string => (cmd.length > 100 ? `${cmd.slice(0, 97)}...` : cmd);

function dbNameOf(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]+\/([^?]+)/.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

async function checkPorts(wanted: [string, number][]): Promise<void> {
  const busy: string[] = [];
  for (const [name, port] of wanted) {
    if (!(await isPortFree(port))) {
      const who = whoListens(port);
      busy.push(`  port ${port} (${name}) is in use${who ? ` by pid ${who.pid}: ${who.cmd}` : ''}`);
    }
  }
  if (busy.length > 0) {
    throw new UsageError(`cannot start, ports in use:\n${busy.join('\n')}\nStop that process, or choose other ports in .env (see .env.example).`);
  }
}

/** App variables from the environment and .env that the launcher does not set itself. */
function passthroughEnv(mapped: Set<string>): Env {
  const out: Env = {};
  for (const key of APP_ENV_VARS) {
    const v = process.env[key];
    if (!mapped.has(key) && v !== undefined && v !== '') out[key] = v;
  }
  return out;
}

/** Refuses when the run file's owner still runs; cleans up after one that was killed. */
async function claim(file: string, alreadyRunning: (run: RunFile) => string): Promise<void> {
  mkdirSync(join(file, '..'), { recursive: true });
  const previous = readRunFile(file);
  if (previous && ownerAlive(previous.owner)) throw new UsageError(alreadyRunning(previous));
  if (previous) {
    say(`cleaning up after an earlier run that did not stop (pid ${previous.pid} is gone)`);
    for (const c of await killRecorded(previous.children)) say(`  stopped its ${c.name} (pid ${c.pid})`);
    rmSync(file, { force: true });
  }
  // Processes left behind by devstack owners that died without cleaning up.
  for (const r of await reapOrphans()) say(`  stopped a leftover process: pid ${r.pid} ${short(r.cmd)}`);
}

interface Booted {
  /** The parts to keep up, in start order. */
  parts: ProcessHandle[];
  system: SystemAddress;
  /** Stops every part (reverse order), leaving no process. */
  stop(): Promise<void>;
  banner: string[];
}

/**
 * Runs in the foreground until a signal: boots, keeps the parts up under a Supervisor, keeps the
 * run file current, and on the first SIGINT/SIGTERM/SIGHUP stops everything (a second one kills
 * at once). Resolves with the exit code.
 */
async function runForeground(file: string, record: RunFile, boot: (signal: AbortSignal) => Promise<Booted>): Promise<number> {
  const save = (): void => writeRunFile(file, record);
  save();
  onSpawn((child) => {
    record.children.push(child);
    save();
  });

  const abort = new AbortController();
  // Set as the run goes on; the shutdown below may come at any point of it.
  const run: { booting?: Promise<Booted>; supervisor?: Supervisor } = {};
  let shuttingDown = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((r) => (finish = r));
  const shutdown = (code: number, why: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(why);
    abort.abort();
    void (async () => {
      try {
        // A start in progress ends early on the abort, stopping what it had started.
        const booted = await run.booting?.catch(() => undefined);
        await run.supervisor?.stop();
        await booted?.stop();
      } catch (err) {
        say(`some processes did not stop cleanly: ${errorMessage(err)}`);
        killAllSync();
        code = code || 1;
      }
      rmSync(file, { force: true });
      finish(code);
    })();
  };
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      say(`${sig} again: killing everything now`);
      killAllSync();
      rmSync(file, { force: true });
      process.exit(130);
    }
    shutdown(0, `${sig}: stopping (press Ctrl-C again to kill at once)`);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  run.booting = boot(abort.signal);
  let booted: Booted;
  try {
    booted = await run.booting;
  } catch (err) {
    if (shuttingDown) return finished;
    rmSync(file, { force: true });
    throw err;
  }
  if (shuttingDown) return finished;

  record.system = booted.system;
  const line = '─'.repeat(64);
  process.stdout.write(['', line, ...booted.banner.map((l) => `  ${l}`), line, ''].join('\n'));
  const watcher = new Supervisor({
    log: say,
    onChange: (parts) => {
      record.parts = parts;
      save();
    },
  });
  run.supervisor = watcher;
  for (const part of booted.parts) watcher.watch(part);
  return finished;
}

const bold = (t: string): string => (process.stdout.isTTY ? `\x1b[1m${t}\x1b[0m` : t);

async function start(): Promise<number> {
  const { E, dataDir } = settings();
  const file = startRunFile(dataDir);
  await claim(file, (run) => `zpub is already running from ${dataDir} (pid ${run.pid}). Stop it with Ctrl-C in its terminal or \`./dev stop\`.`);

  const workers = envInt('DEV_WORKERS', 1, 0);
  const workerBase = envPort('WORKER_HTTP_PORT', 3200);
  const ports = {
    server: envPort('PORT', 3000),
    sandbox: envPort('SANDBOX_PORT', 3100),
    workers: Array.from({ length: workers }, (_, i) => workerBase + i),
    ...(E['REDIS_URL'] ? {} : { redis: envPort('REDIS_PORT', 6380) }),
    ...(E['MONGODB_URI'] ? {} : { ferret: envPort('FERRETDB_PORT', 27018) }),
  };
  await checkPorts([
    ['PORT', ports.server],
    ['SANDBOX_PORT', ports.sandbox],
    ...ports.workers.map((p, i): [string, number] => [i === 0 ? 'WORKER_HTTP_PORT' : `WORKER_HTTP_PORT (+${i})`, p]),
    ...(ports.redis !== undefined ? [['REDIS_PORT', ports.redis] as [string, number]] : []),
    ...(ports.ferret !== undefined ? [['FERRETDB_PORT', ports.ferret] as [string, number]] : []),
  ]);

  const record: RunFile = {
    kind: 'start',
    pid: process.pid,
    owner: OWNER,
    startedAt: new Date().toISOString(),
    dataDir,
    secretKey: E['ZPUB_SECRET_KEY'] ? 'env' : 'file',
    children: [],
    parts: [],
  };
  const passthrough = passthroughEnv(new Set(['MONGODB_URI', 'REDIS_URL', 'REDIS_PREFIX', 'DATA_DIR', 'LOG_LEVEL', 'NODE_ENV', 'PORT', 'SANDBOX_PORT', 'WORKER_HTTP_PORT', 'WORKER_ID']));
  return runForeground(file, record, async (signal) => {
    say(`starting Redis, FerretDB, sandbox, server and ${workers} worker(s); data in ${dataDir}, logs in ${join(dataDir, 'logs')}`);
    const t0 = Date.now();
    const s = await startStack({
      dir: dataDir,
      workers,
      ports,
      prefix: E['REDIS_PREFIX'] || 'zpub',
      dbName: dbNameOf(E['MONGODB_URI']) ?? 'zpub',
      ...(E['REDIS_URL'] ? { redisUrl: E['REDIS_URL'] } : {}),
      ...(E['MONGODB_URI'] ? { mongoUri: E['MONGODB_URI'] } : {}),
      nodeEnv: E['NODE_ENV'] || 'development',
      logLevel: E['LOG_LEVEL'] || 'info',
      env: passthrough,
      echo: true,
      // A worker gets SHUTDOWN_GRACE_MS (its default 30 s) to finish or hand back its tasks.
      graceMs: envInt('SHUTDOWN_GRACE_MS', 30_000, 0) + 5_000,
      signal,
    });
    return {
      parts: [s.redis, s.ferret, s.sandbox, s.server, ...s.workers].filter((h) => h !== null),
      system: { redis: s.urls.redis, mongo: s.urls.mongo, prefix: s.prefix, sandbox: s.urls.sandbox, app: s.urls.app },
      stop: () => s.stop(),
      banner: [
        `zpub is running at  ${bold(s.urls.app)}`,
        `sandbox (Zhihu)     ${s.urls.sandbox}`,
        ...s.workers.map((w) => `${w.name.padEnd(19)} ${w.url}/healthz`),
        `redis               ${redactUri(s.urls.redis)}   mongodb ${redactUri(s.urls.mongo)}`,
        `data ${dataDir}   logs ${join(dataDir, 'logs')}`,
        `started in ${((Date.now() - t0) / 1000).toFixed(1)} s. A part that exits is restarted; ./dev status lists them.`,
        'Press Ctrl-C to stop.',
      ],
    };
  });
}

/**
 * Where `./dev worker` connects: REDIS_URL + MONGODB_URI (+ ZPUB_SECRET_KEY) of the system to
 * join, or, when none is given, the `./dev start` running from this checkout.
 */
function joinTarget(E: NodeJS.ProcessEnv, dataDir: string): { system: SystemAddress; local?: RunFile } {
  const redis = E['REDIS_URL'] || undefined;
  const mongo = E['MONGODB_URI'] || undefined;
  const key = E['ZPUB_SECRET_KEY'] || undefined;
  const localRun = readRunFile(startRunFile(dataDir));
  const local = localRun && ownerAlive(localRun.owner) && localRun.system ? localRun : undefined;
  const howTo =
    'Set them to the values of the system to join (in the environment or .env): ' +
    'REDIS_URL=redis://host:6379 MONGODB_URI=mongodb://host:27017/zpub ZPUB_SECRET_KEY=<the servers\' key>. See "Running more workers" in the README.';
  if (redis === undefined && mongo === undefined) {
    if (local?.system === undefined) {
      throw new UsageError(`./dev worker joins a running zpub, and none is named: REDIS_URL, MONGODB_URI and ZPUB_SECRET_KEY are unset and no ./dev start runs from ${dataDir}.\n${howTo}`);
    }
    if (local.secretKey === 'env' && key === undefined) {
      throw new UsageError(`the ./dev start running here (pid ${local.pid}) got ZPUB_SECRET_KEY from its environment; set the same ZPUB_SECRET_KEY for ./dev worker, or it cannot read the accounts' cookies.`);
    }
    return { system: local.system, local };
  }
  if (redis === undefined || mongo === undefined) {
    throw new UsageError(`${redis === undefined ? 'REDIS_URL' : 'MONGODB_URI'} is unset: a worker needs both the Redis and the MongoDB of the system it joins.\n${howTo}`);
  }
  if (dbNameOf(mongo) === undefined) {
    throw new UsageError(`MONGODB_URI=${redactUri(mongo)} names no database; add the one the system uses (e.g. ${redactUri(mongo).replace(/\/?(\?|$)/, '/zpub$1')}).`);
  }
  const joinsLocal = local?.system?.redis === redis && local.system.mongo === mongo;
  if (key === undefined && !(joinsLocal && local.secretKey === 'file')) {
    throw new UsageError(
      'ZPUB_SECRET_KEY is unset: a worker needs the key the servers of that system use (their ZPUB_SECRET_KEY, or the content of their .data/secret.key), or it cannot read the accounts\' cookies.',
    );
  }
  return {
    system: { redis, mongo, prefix: E['REDIS_PREFIX'] || 'zpub', sandbox: E['SANDBOX_ORIGIN'] || local?.system?.sandbox || 'http://127.0.0.1:3100' },
    ...(joinsLocal ? { local } : {}),
  };
}

async function firstFreePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) if (await isPortFree(port)) return port;
  throw new UsageError(`no free port in ${from}-${to} for the worker's /healthz; set WORKER_HTTP_PORT`);
}

async function worker(): Promise<number> {
  const { E, dataDir } = settings();
  const { system, local } = joinTarget(E, dataDir);
  let port: number;
  if (E['WORKER_HTTP_PORT']) {
    port = envPort('WORKER_HTTP_PORT', 3200);
    await checkPorts([['WORKER_HTTP_PORT', port]]);
  } else {
    port = await firstFreePort(3200, 3299);
  }
  const workerId = E['WORKER_ID'] || `${hostname().replace(/[^A-Za-z0-9_.-]/g, '-')}-${port}`;
  if (!/^[A-Za-z0-9_.:-]{1,80}$/.test(workerId)) throw new UsageError(`WORKER_ID=${workerId} may hold only letters, digits and _ . : - (at most 80)`);
  const file = workerRunFile(dataDir, workerId);
  await claim(file, (run) => `a worker named ${workerId} already runs from ${dataDir} (pid ${run.pid}); give this one another WORKER_ID.`);
  const chromium = ensureChromium();
  const graceMs = envInt('SHUTDOWN_GRACE_MS', 30_000, 0) + 5_000;
  const record: RunFile = { kind: 'worker', pid: process.pid, owner: OWNER, startedAt: new Date().toISOString(), dataDir, children: [], parts: [] };
  const passthrough = passthroughEnv(new Set(['MONGODB_URI', 'REDIS_URL', 'REDIS_PREFIX', 'DATA_DIR', 'LOG_LEVEL', 'NODE_ENV', 'WORKER_HTTP_PORT', 'WORKER_ID', 'SANDBOX_ORIGIN', 'CHROMIUM_PATH']));
  const logFile = join(dataDir, 'logs', `${workerId}.log`);
  return runForeground(file, record, async (signal) => {
    say(`starting worker ${workerId}: Redis ${redactUri(system.redis)} (prefix ${system.prefix}), MongoDB ${redactUri(system.mongo)}${local ? ` (the ./dev start of pid ${local.pid})` : ''}`);
    const handle = await startApp('worker', {
      port,
      label: workerId,
      logFile,
      echo: true,
      graceMs,
      signal,
      env: {
        ...passthrough,
        MONGODB_URI: system.mongo,
        REDIS_URL: system.redis,
        REDIS_PREFIX: system.prefix,
        SANDBOX_ORIGIN: system.sandbox,
        DATA_DIR: dataDir,
        NODE_ENV: E['NODE_ENV'] || 'development',
        LOG_LEVEL: E['LOG_LEVEL'] || 'info',
        WORKER_ID: workerId,
        WORKER_HTTP_PORT: String(port),
        CHROMIUM_PATH: chromium,
      },
    });
    return {
      parts: [handle],
      system,
      stop: () => handle.stop({ graceMs }),
      banner: [
        `worker ${bold(workerId)} is taking tasks from ${redactUri(system.redis)} (prefix ${system.prefix})`,
        `health  ${handle.url}/healthz   ${handle.url}/readyz`,
        `log     ${logFile}`,
        'If it exits it is restarted. Ctrl-C stops it (running tasks get SHUTDOWN_GRACE_MS, then go back to the queue).',
      ],
    };
  });
}

/** Prints every run of this checkout; 0 when all parts run, 1 when one is down or a run is stale, 3 when nothing runs. */
function status(args: string[]): number {
  const { dataDir } = settings();
  const runs = listRunFiles(dataDir);
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(runs.map(({ run }) => ({ kind: run.kind, pid: run.pid, alive: ownerAlive(run.owner), startedAt: run.startedAt, dataDir: run.dataDir, system: run.system && redactSystem(run.system), parts: run.parts })), null, 2)}\n`);
  } else if (runs.length === 0) {
    process.stdout.write(`zpub is not running from ${dataDir} (no ./dev start, no ./dev worker)\n`);
  } else {
    process.stdout.write(`${runs.map(({ run }) => formatRun(run)).join('\n\n')}\n`);
  }
  if (runs.length === 0) return 3;
  const healthy = runs.every(({ run }) => ownerAlive(run.owner) && run.parts.every((p) => p.state === 'running'));
  return healthy ? 0 : 1;
}

async function stop(): Promise<number> {
  const { dataDir } = settings();
  const runs = listRunFiles(dataDir);
  if (runs.length === 0) say(`zpub is not running from ${dataDir}`);
  // Joined workers first, so they hand their tasks back while Redis and MongoDB still run.
  for (const { file, run } of [...runs].reverse()) {
    const what = run.kind === 'start' ? './dev start' : './dev worker';
    if (ownerAlive(run.owner)) {
      say(`stopping ${what} (pid ${run.pid})`);
      process.kill(run.pid, 'SIGTERM');
      const deadline = Date.now() + 40_000;
      while (ownerAlive(run.owner) && Date.now() < deadline) await sleep(200);
      if (ownerAlive(run.owner)) {
        say(`pid ${run.pid} did not stop in 40 s; sending SIGKILL (its watchdog cleans up its children)`);
        process.kill(run.pid, 'SIGKILL');
      }
    }
    for (const c of await killRecorded(run.children)) say(`stopped its ${c.name} (pid ${c.pid})`);
    rmSync(file, { force: true });
  }
  await sleep(500);
  for (const r of await reapOrphans()) say(`stopped leftover pid ${r.pid} ${short(r.cmd)}`);
  return 0;
}

const HELP = `usage: node tooling/devstack/dist/cli.js <command>
  start            start Redis, FerretDB, sandbox, server and worker(s) in the foreground; a part
                   that exits is restarted (Ctrl-C stops everything)
  worker           start one worker that joins a running zpub (REDIS_URL, MONGODB_URI and
                   ZPUB_SECRET_KEY, or the ./dev start of this checkout)
  status [--json]  the parts started from this checkout: state, pid, port, restarts
  stop             stop what \`start\` and \`worker\` run from this checkout
  ensure-ferretdb  print the path of FerretDB ${'v1.24.2'}, building it once if needed
  reap             kill processes left behind by dead devstack owners (tests, launchers)
`;

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'start':
      return start();
    case 'worker':
      return worker();
    case 'status':
      return status(argv.slice(1));
    case 'stop':
      return stop();
    case 'ensure-ferretdb':
      process.stdout.write(`${await ensureFerretdb({ log: say })}\n`);
      return 0;
    case 'reap': {
      const reaped = await reapOrphans();
      for (const r of reaped) say(`killed pid ${r.pid} ${short(r.cmd)}`);
      say(`${reaped.length} leftover process(es)`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return argv[0] === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command: ${argv[0]}\n${HELP}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Our own errors carry what a person needs (including log tails); others get their stack.
    if (err instanceof UsageError || (err instanceof Error && err.message.startsWith('devstack:'))) say(err.message);
    else say(err instanceof Error ? (err.stack ?? err.message) : String(err));
    killAllSync();
    process.exit(1);
  },
);
