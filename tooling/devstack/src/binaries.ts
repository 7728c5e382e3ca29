// Finds (or, for FerretDB, builds once per user) the external programs the stack runs.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, isExecutable, log as defaultLog, sleep, which } from './util.js';
import { ownerAlive, procStat } from './proc.js';

/** Debian package that provides each program we need. */
const APT_PACKAGE: Record<string, string> = {
  'redis-server': 'redis-server',
  chromium: 'chromium',
};

/** The absolute path of a program on PATH, or an error that says which Debian package to install. */
export function ensureBinary(name: 'redis-server' | 'chromium' | (string & {})): string {
  const found = which(name);
  if (found !== undefined) return found;
  const pkg = APT_PACKAGE[name] ?? name;
  throw new Error(`devstack: \`${name}\` is not installed. Install it with: sudo apt-get update && sudo apt-get install -y ${pkg}   (or run ./dev, which installs it)`);
}

/** $CHROMIUM_PATH, else /usr/bin/chromium; never a puppeteer-downloaded browser. */
export function ensureChromium(): string {
  const explicit = process.env['CHROMIUM_PATH'];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`devstack: CHROMIUM_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  if (isExecutable('/usr/bin/chromium')) return '/usr/bin/chromium';
  return ensureBinary('chromium');
}

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export interface EnsureFerretOptions {
  /** Progress lines (default: stderr with a [devstack] prefix). */
  log?: (line: string) => void;
}

/** Where the built FerretDB is cached: ~/.cache/zpub/bin/ferretdb-v1.24.2 (see cacheDir()). */
export function ferretdbCachePath(): string {
  return join(cacheDir(), 'bin', `ferretdb-${FERRETDB_VERSION}`);
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.timeoutMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** True when `bin --version` reports the version we need. */
export function ferretdbWorks(bin: string): Promise<boolean> {
  return new Promise((resolve) => {
    if (!isExecutable(bin)) return resolve(false);
    execFile(bin, ['--version'], { timeout: 15_000 }, (err, stdout) => {
      resolve(err === null && stdout.includes(`version: ${FERRETDB_VERSION}`));
    });
  });
}

function findGo(): string {
  const go = which('go') ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (go === undefined) {
    throw new Error(
      `devstack: FerretDB ${FERRETDB_VERSION} must be built once, and that needs Go (>= 1.24), which is not installed ` +
        '(looked on PATH and at /usr/local/go/bin/go). Install Go, or set FERRETDB_PATH to a ferretdb binary.',
    );
  }
  return go;
}

/**
 * The path of a working FerretDB v1.24.2: $FERRETDB_PATH, else the per-user cached build, else
 * builds it (a few minutes the first time). The module zip that `go install` uses lacks
 * build/version/version.txt (the binary then panics at start), so we copy the module source,
 * write that file, and `go build` it. Concurrent callers wait for one build (a lock folder).
 */
export async function ensureFerretdb(opts: EnsureFerretOptions = {}): Promise<string> {
  const say = opts.log ?? defaultLog;
  const explicit = process.env['FERRETDB_PATH'];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`devstack: FERRETDB_PATH=${explicit} is not an executable file`);
    return explicit;
  }
  const target = ferretdbCachePath();
  if (await ferretdbWorks(target)) return target;

  const binDir = join(cacheDir(), 'bin');
  mkdirSync(binDir, { recursive: true });
  const lock = `${target}.lock`;
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), `${process.pid}-${procStat(process.pid)?.startTime ?? '0'}-lock`);
      break;
    } catch {
      // Someone else builds it; wait for them unless their process is gone.
      let owner = '';
      try {
        owner = readFileSync(join(lock, 'owner'), 'utf8');
      } catch {
        // lock folder without owner file yet (or just removed)
      }
      const lockAge = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if ((owner && !ownerAlive(owner)) || (!owner && lockAge > 10_000)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > 20 * 60_000) throw new Error(`devstack: gave up waiting for the FerretDB build held by ${lock}`);
      if (await ferretdbWorks(target)) return target;
      await sleep(1000);
    }
  }
  try {
    if (await ferretdbWorks(target)) return target;
    await buildFerretdb(target, say);
    return target;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildFerretdb(target: string, say: (line: string) => void): Promise<void> {
  const go = findGo();
  const t0 = Date.now();
  say(`building FerretDB ${FERRETDB_VERSION} into ${target} (first time only; a few minutes on a cold Go cache)`);
  const work = mkdtempSync(join(tmpdir(), 'zpub-ferretdb-build-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GOFLAGS: '-buildvcs=false', GO111MODULE: 'on', GOWORK: 'off' };
  const heartbeat = setInterval(() => say(`  ...still building FerretDB (${Math.round((Date.now() - t0) / 1000)} s)`), 20_000);
  try {
    say('  go mod download (module source)');
    const dl = await run(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { cwd: work, env });
    let dir: string | undefined;
    try {
      const info: unknown = JSON.parse(dl.stdout);
      if (typeof info === 'object' && info !== null) {
        const rec = info as Record<string, unknown>;
        if (typeof rec['Error'] === 'string') throw new Error(rec['Error']);
        if (typeof rec['Dir'] === 'string') dir = rec['Dir'];
      }
    } catch (err) {
      throw new Error(`devstack: go mod download failed: ${err instanceof Error ? err.message : String(err)}\n${dl.stderr}`);
    }
    if (dl.code !== 0 || dir === undefined) throw new Error(`devstack: go mod download failed (exit ${dl.code}):\n${dl.stderr}${dl.stdout}`);

    const src = join(work, 'src');
    cpSync(dir, src, { recursive: true });
    makeWritable(src);
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);

    const out = join(work, 'ferretdb');
    say('  go build ./cmd/ferretdb (downloads dependencies, then compiles)');
    let build = await run(go, ['build', '-o', out, './cmd/ferretdb'], { cwd: src, env });
    if (build.code !== 0 && /linkname/.test(build.stderr)) {
      say('  retrying with -ldflags=-checklinkname=0 (an old dependency uses //go:linkname)');
      build = await run(go, ['build', '-ldflags=-checklinkname=0', '-o', out, './cmd/ferretdb'], { cwd: src, env });
    }
    if (build.code !== 0) throw new Error(`devstack: building FerretDB failed (exit ${build.code}):\n${build.stderr.split('\n').slice(-40).join('\n')}`);
    if (!(await ferretdbWorks(out))) throw new Error(`devstack: the FerretDB we built does not answer --version with ${FERRETDB_VERSION}`);
    const tmpTarget = `${target}.tmp-${process.pid}`;
    cpSync(out, tmpTarget);
    chmodSync(tmpTarget, 0o755);
    renameSync(tmpTarget, target);
    say(`FerretDB ${FERRETDB_VERSION} ready at ${target} (built in ${Math.round((Date.now() - t0) / 1000)} s)`);
  } finally {
    clearInterval(heartbeat);
    makeWritable(work);
    rmSync(work, { recursive: true, force: true });
  }
}

function makeWritable(path: string): void {
  if (!existsSync(path)) return;
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  chmodSync(path, st.mode | 0o200 | (st.isDirectory() ? 0o700 : 0));
  if (st.isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}
