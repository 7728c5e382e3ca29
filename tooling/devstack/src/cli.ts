// The long-running half of `./dev start` (the bash launcher installs and builds, then execs this).
// Commands: start | stop | ensure-ferretdb | reap | help. Settings come from the environment and
// from .env at the repo root (the environment wins); .env.example documents them.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { APP_ENV_VARS } from './app.js';
import { ensureFerretdb } from './binaries.js';
import { isPortFree, whoListens } from './ports.js';
import { OWNER, killAllSync, killRecorded, onSpawn, ownerAlive, reapOrphans, type SpawnedChild } from './proc.js';
import { startStack, type Stack } from './stack.js';
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

interface PidFile {
  pid: number;
  owner: string;
  startedAt: string;
  children: SpawnedChild[];
}

function isChild(x: unknown): x is SpawnedChild {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r['name'] === 'string' && typeof r['pid'] === 'number' && typeof r['startTime'] === 'string';
}

const short = (cmd: string): string => (cmd.length > 100 ? `${cmd.slice(0, 97)}...` : cmd);

function readPidFile(file: string): PidFile | undefined {
  try {
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof data === 'object' && data !== null && 'pid' in data && 'owner' in data) {
      const { pid, owner } = data;
      const children = 'children' in data && Array.isArray(data.children) ? data.children.filter(isChild) : [];
      if (typeof pid === 'number' && typeof owner === 'string') return { pid, owner, startedAt: '', children };
    }
  } catch {
    // missing or unreadable: treated as absent
  }
  return undefined;
}

function dbNameOf(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const m = /^mongodb(?:\+srv)?:\/\/[^/?]+\/([^?]+)/.exec(uri);
  return m?.[1] ? decodeURIComponent(m[1]) : undefined;
}

async function start(): Promise<number> {
  const root = repoRoot();
  loadDotEnv(join(root, '.env'));
  const E = process.env;
  const dataDir = resolve(root, E['DATA_DIR'] || '.data');
  const runDir = join(dataDir, 'run');
  const pidFile = join(runDir, 'devstack.json');
  mkdirSync(runDir, { recursive: true });

  // 1. Another `./dev start` on this folder? A stale pid file from a killed one?
  const previous = readPidFile(pidFile);
  if (previous && ownerAlive(previous.owner)) {
    throw new UsageError(`zpub is already running from ${dataDir} (pid ${previous.pid}). Stop it with Ctrl-C in its terminal or \`./dev stop\`.`);
  }
  if (previous) {
    say(`cleaning up after an earlier run that did not stop (pid ${previous.pid} is gone)`);
    for (const c of await killRecorded(previous.children)) say(`  stopped its ${c.name} (pid ${c.pid})`);
    rmSync(pidFile, { force: true });
  }
  // 2. Processes left behind by devstack owners that died without cleaning up.
  const reaped = await reapOrphans();
  for (const r of reaped) say(`  stopped a leftover process: pid ${r.pid} ${short(r.cmd)}`);

  // 3. Ports.
  const workers = envInt('DEV_WORKERS', 1, 0);
  const workerBase = envPort('WORKER_HTTP_PORT', 3200);
  const ports = {
    server: envPort('PORT', 3000),
    sandbox: envPort('SANDBOX_PORT', 3100),
    workers: Array.from({ length: workers }, (_, i) => workerBase + i),
    ...(E['REDIS_URL'] ? {} : { redis: envPort('REDIS_PORT', 6380) }),
    ...(E['MONGODB_URI'] ? {} : { ferret: envPort('FERRETDB_PORT', 27018) }),
  };
  const wanted: [string, number][] = [
    ['PORT', ports.server],
    ['SANDBOX_PORT', ports.sandbox],
    ...ports.workers.map((p, i): [string, number] => [i === 0 ? 'WORKER_HTTP_PORT' : `WORKER_HTTP_PORT (+${i})`, p]),
    ...(ports.redis !== undefined ? [['REDIS_PORT', ports.redis] as [string, number]] : []),
    ...(ports.ferret !== undefined ? [['FERRETDB_PORT', ports.ferret] as [string, number]] : []),
  ];
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

  const record: PidFile = { pid: process.pid, owner: OWNER, startedAt: new Date().toISOString(), children: [] };
  const writeRecord = (): void => writeFileSync(pidFile, `${JSON.stringify(record, null, 2)}\n`);
  writeRecord();
  onSpawn((child) => {
    record.children.push(child);
    writeRecord();
  });

  // 4. Signals: the first stops everything cleanly, a second one kills at once.
  const abort = new AbortController();
  let stack: Stack | undefined;
  let shuttingDown = false;
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((r) => (finish = r));
  const shutdown = (code: number, why: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    say(why);
    abort.abort();
    const current = stack;
    void (async () => {
      try {
        if (current) await current.stop();
      } catch (err) {
        say(`some processes did not stop cleanly: ${errorMessage(err)}`);
        killAllSync();
        code = code || 1;
      }
      rmSync(pidFile, { force: true });
      finish(code);
    })();
  };
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      say(`${sig} again: killing everything now`);
      killAllSync();
      rmSync(pidFile, { force: true });
      process.exit(130);
    }
    shutdown(0, `${sig}: stopping (press Ctrl-C again to kill at once)`);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  // 5. Start.
  const passthrough: Env = {};
  const mapped = new Set(['MONGODB_URI', 'REDIS_URL', 'REDIS_PREFIX', 'DATA_DIR', 'LOG_LEVEL', 'NODE_ENV', 'PORT', 'SANDBOX_PORT', 'WORKER_HTTP_PORT', 'WORKER_ID']);
  for (const key of APP_ENV_VARS) {
    const v = E[key];
    if (!mapped.has(key) && v !== undefined && v !== '') passthrough[key] = v;
  }
  say(`starting Redis, FerretDB, sandbox, server and ${workers} worker(s); data in ${dataDir}, logs in ${join(dataDir, 'logs')}`);
  const t0 = Date.now();
  try {
    stack = await startStack({
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
      signal: abort.signal,
    });
  } catch (err) {
    if (shuttingDown) return finished;
    rmSync(pidFile, { force: true });
    throw err;
  }
  if (shuttingDown) {
    await stack.stop();
    return finished;
  }

  const s = stack;
  const line = '─'.repeat(64);
  const bold = (t: string): string => (process.stdout.isTTY ? `\x1b[1m${t}\x1b[0m` : t);
  process.stdout.write(
    [
      '',
      line,
      `  zpub is running at  ${bold(s.urls.app)}`,
      `  sandbox (Zhihu)     ${s.urls.sandbox}`,
      ...s.workers.map((w) => `  ${w.name.padEnd(19)} ${w.url}/healthz`),
      `  redis               ${s.urls.redis}   mongodb ${s.urls.mongo}`,
      `  data ${dataDir}   logs ${join(dataDir, 'logs')}`,
      `  started in ${((Date.now() - t0) / 1000).toFixed(1)} s. Press Ctrl-C to stop.`,
      line,
      '',
    ].join('\n'),
  );
  const all = [s.redis, s.ferret, s.sandbox, s.server, ...s.workers];
  for (const h of all) {
    if (h === null) continue;
    void h.exited.then((info) => {
      if (!shuttingDown) shutdown(1, `${h.name} exited unexpectedly (code ${info.code}, signal ${info.signal}); stopping everything. See ${h.logFile}`);
    });
  }
  return finished;
}

async function stop(): Promise<number> {
  const root = repoRoot();
  loadDotEnv(join(root, '.env'));
  const dataDir = resolve(root, process.env['DATA_DIR'] || '.data');
  const pidFile = join(dataDir, 'run', 'devstack.json');
  const running = readPidFile(pidFile);
  if (running && ownerAlive(running.owner)) {
    say(`stopping pid ${running.pid}`);
    process.kill(running.pid, 'SIGTERM');
    const deadline = Date.now() + 40_000;
    while (ownerAlive(running.owner) && Date.now() < deadline) await sleep(200);
    if (ownerAlive(running.owner)) {
      say(`pid ${running.pid} did not stop in 40 s; sending SIGKILL (its watchdog cleans up its children)`);
      process.kill(running.pid, 'SIGKILL');
    }
  } else {
    say('zpub is not running');
  }
  if (running) for (const c of await killRecorded(running.children)) say(`stopped its ${c.name} (pid ${c.pid})`);
  rmSync(pidFile, { force: true });
  await sleep(500);
  for (const r of await reapOrphans()) say(`stopped leftover pid ${r.pid} ${short(r.cmd)}`);
  return 0;
}

const HELP = `usage: node tooling/devstack/dist/cli.js <command>
  start            start Redis, FerretDB, sandbox, server and worker(s) in the foreground (Ctrl-C stops)
  stop             stop a running \`start\` of this checkout
  ensure-ferretdb  print the path of FerretDB ${'v1.24.2'}, building it once if needed
  reap             kill processes left behind by dead devstack owners (tests, launchers)
`;

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'start':
      return start();
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
