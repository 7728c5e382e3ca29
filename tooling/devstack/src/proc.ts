// Child processes that can never outlive their owner.
// Each child runs in its own process group (detached) and carries ZPUB_DEVSTACK_TAG in its
// environment; everything it starts inherits the tag, even programs that leave the group
// (puppeteer spawns Chromium detached, in a group of its own). We kill by group and by tag:
// on stop, when a child dies (its orphans go with it), on our exit or signal, and, through a
// tiny watchdog process that notices when our pipe closes, even when we are SIGKILLed.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sleep, tail, type Env } from './util.js';

export const TAG_VAR = 'ZPUB_DEVSTACK_TAG';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// ---------------------------------------------------------------------------------------------
// /proc helpers (Linux only, which is what this project runs on)

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  startTime: string;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp session ..."; comm may hold spaces and parentheses.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    const [state, ppid, pgrp] = rest;
    const startTime = rest[19];
    if (state === undefined || ppid === undefined || pgrp === undefined || startTime === undefined) return undefined;
    return { pid, state, ppid: Number(ppid), pgrp: Number(pgrp), startTime };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) out.push(Number(entry));
  }
  return out;
}

export function readTag(pid: number): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    for (const kv of environ.split('\0')) {
      if (kv.startsWith(`${TAG_VAR}=`)) return kv.slice(TAG_VAR.length + 1);
    }
  } catch {
    // gone, or not ours to read
  }
  return undefined;
}

const isLive = (st: ProcStat | undefined): st is ProcStat => st !== undefined && st.state !== 'Z' && st.state !== 'X';

/** Live (non-zombie) processes whose tag equals `tag` or starts with `tag + '/'`. */
export function taggedPids(tag: string): number[] {
  const out: number[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const t = readTag(pid);
    if (t !== undefined && (t === tag || t.startsWith(`${tag}/`)) && isLive(procStat(pid))) out.push(pid);
  }
  return out;
}

/** Live (non-zombie) members of a process group. */
export function groupPids(pgid: number): number[] {
  return allPids().filter((pid) => {
    const st = procStat(pid);
    return isLive(st) && st.pgrp === pgid;
  });
}

export function signalGroup(pgid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, sig);
    return true;
  } catch {
    return false;
  }
}

function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Owner identity. A tag is `<owner>/<label>/<n>`, owner = `<pid>-<starttime>-<random>`, so an
// owner is "alive" only if that pid exists with that start time (pid reuse cannot fool it).

const ownStart = procStat(process.pid)?.startTime ?? '0';
export const OWNER = `${process.pid}-${ownStart}-${randomBytes(3).toString('hex')}`;
let counter = 0;

export function newTag(label: string): string {
  counter += 1;
  return `${OWNER}/${label.replace(/[^\w.-]/g, '_')}/${counter}`;
}

/** The owner of a tag is still running (so its processes are not orphans). */
export function ownerAlive(tag: string): boolean {
  const m = /^(\d+)-(\d+)-/.exec(tag);
  if (!m) return false;
  const st = procStat(Number(m[1]));
  return isLive(st) && st.startTime === m[2];
}

/**
 * Kills every tagged process whose owner is dead: leftovers of a devstack user that was killed
 * together with its watchdog. Returns what it killed. Safe: a live owner's processes are never touched.
 */
export async function reapOrphans(): Promise<{ pid: number; cmd: string }[]> {
  const victims: { pid: number; cmd: string }[] = [];
  for (const pid of allPids()) {
    const tag = readTag(pid);
    if (tag === undefined || pid === process.pid || !isLive(procStat(pid))) continue;
    if (!ownerAlive(tag)) victims.push({ pid, cmd: commandLine(pid) });
  }
  for (const v of victims) signalPid(v.pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (victims.some((v) => isLive(procStat(v.pid))) && Date.now() < deadline) await sleep(100);
  for (const v of victims) if (isLive(procStat(v.pid))) signalPid(v.pid, 'SIGKILL');
  return victims;
}

// ---------------------------------------------------------------------------------------------
// Registry of live children + exit hooks + watchdog

const live = new Map<string, number>(); // tag -> pgid
let hooksInstalled = false;
let watchdogIn: Socket | undefined;

/** Synchronously SIGKILLs every child group and tagged process we own. Last resort, used at exit. */
export function killAllSync(): void {
  for (const pgid of live.values()) signalGroup(pgid, 'SIGKILL');
  for (const pid of taggedPids(OWNER)) signalPid(pid, 'SIGKILL');
  live.clear();
}

const exitCleanups = new Set<() => void>();

/** Runs `fn` synchronously when this process exits without having called the returned remover (e.g. temp folders). */
export function onExitSync(fn: () => void): () => void {
  installHooks();
  exitCleanups.add(fn);
  return () => exitCleanups.delete(fn);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    if (live.size > 0) killAllSync();
    for (const fn of exitCleanups) {
      try {
        fn();
      } catch {
        // best effort at exit
      }
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      // Someone else (the CLI, a test runner) handles this signal and will exit, which fires
      // our 'exit' hook. Only when we are alone do we clean up and die the default way.
      if (process.listenerCount(sig) > 1) return;
      killAllSync();
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
  startWatchdog();
}

// The watchdog is a plain CommonJS script run with `node -e`, so it works the same whether this
// module runs from dist/ or from src/ under vitest. It reads "+ pgid tag" / "- tag" lines; when
// its stdin closes (we died, however), it terminates what is left, then SIGKILLs after 3 s.
const WATCHDOG = String.raw`
const fs = require('fs');
const owner = process.argv[1];
const groups = new Map();
let buf = '';
function scan() {
  // live (non-zombie) processes that are in one of our groups or carry our tag
  const out = [];
  const pgids = new Set(groups.values());
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + e + '/stat', 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (f[0] === 'Z' || f[0] === 'X') continue;
      if (pgids.has(Number(f[2]))) { out.push(Number(e)); continue; }
      const env = fs.readFileSync('/proc/' + e + '/environ', 'latin1');
      if (env.split('\0').some((kv) => kv.startsWith('${TAG_VAR}=' + owner + '/'))) out.push(Number(e));
    } catch {}
  }
  return out;
}
function signalAll(sig) {
  for (const g of groups.values()) { try { process.kill(-g, sig); } catch {} }
  for (const p of scan()) { try { process.kill(p, sig); } catch {} }
}
let done = false;
function cleanup() {
  if (done) return;
  done = true;
  if (scan().length === 0) process.exit(0);
  signalAll('SIGTERM');
  signalAll('SIGCONT');
  const t0 = Date.now();
  const timer = setInterval(() => {
    if (scan().length === 0) process.exit(0);
    if (Date.now() - t0 > 3000) { signalAll('SIGKILL'); clearInterval(timer); setTimeout(() => process.exit(0), 200); }
  }, 100);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const [op, a, b] = buf.slice(0, i).split(' ');
    buf = buf.slice(i + 1);
    if (op === '+') groups.set(b, Number(a)); else if (op === '-') groups.delete(a);
  }
});
process.stdin.on('end', cleanup);
process.stdin.on('error', cleanup);
`;

function startWatchdog(): void {
  const env: Env = { ...process.env };
  delete env[TAG_VAR];
  try {
    const wd = spawn(process.execPath, ['-e', WATCHDOG, OWNER], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env,
    });
    wd.on('error', () => undefined);
    wd.unref();
    if (wd.stdin instanceof Socket) {
      wd.stdin.on('error', () => undefined);
      wd.stdin.unref();
      watchdogIn = wd.stdin;
    }
  } catch {
    // No watchdog: the exit hooks still cover every death but SIGKILL.
  }
}

export interface SpawnedChild {
  name: string;
  pid: number;
  /** From /proc/<pid>/stat: with the pid, identifies the process even after pid reuse. */
  startTime: string;
}
const spawnListeners = new Set<(child: SpawnedChild) => void>();

/**
 * Called for every child we spawn. The CLI records them in its pid file: a few programs (Redis
 * rewrites its title over its environment) lose the tag, and a pid file still finds them.
 */
export function onSpawn(listener: (child: SpawnedChild) => void): () => void {
  spawnListeners.add(listener);
  return () => spawnListeners.delete(listener);
}

/** SIGTERM, then SIGKILL after graceMs, to the groups led by these processes if they are still the same processes. */
export async function killRecorded(children: SpawnedChild[], graceMs = 5000): Promise<SpawnedChild[]> {
  const same = (c: SpawnedChild): boolean => {
    const st = procStat(c.pid);
    return isLive(st) && st.startTime === c.startTime;
  };
  const found = children.filter(same);
  for (const c of found) {
    signalGroup(c.pid, 'SIGTERM');
    signalGroup(c.pid, 'SIGCONT');
  }
  const deadline = Date.now() + graceMs;
  while (found.some(same) && Date.now() < deadline) await sleep(100);
  for (const c of found) signalGroup(c.pid, 'SIGKILL');
  return found;
}

function register(tag: string, pgid: number): void {
  installHooks();
  live.set(tag, pgid);
  watchdogIn?.write(`+ ${pgid} ${tag}\n`);
}

function unregister(tag: string): void {
  live.delete(tag);
  watchdogIn?.write(`- ${tag}\n`);
}

// ---------------------------------------------------------------------------------------------
// One managed child process

export interface SpawnSpec {
  /** Short name used in logs and tags, e.g. 'redis', 'worker-2'. */
  name: string;
  command: string;
  args: string[];
  /** The complete environment of the child (the tag is added). */
  env: Env;
  cwd?: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** Also echo output to our stdout, each line prefixed with `[name]`. */
  echo?: boolean;
}

const COLORS = [36, 35, 33, 32, 34, 91, 96, 95];
let colorIndex = 0;

export class ManagedProcess {
  readonly tag: string;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  exitInfo: ExitInfo | undefined;
  private readonly child: ChildProcess;

  private constructor(
    readonly spec: SpawnSpec,
    child: ChildProcess,
    tag: string,
    pid: number,
  ) {
    this.child = child;
    this.tag = tag;
    this.pid = pid;
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        const info: ExitInfo = { code, signal };
        this.exitInfo = info;
        // Whatever it left behind (Chromium, helpers) is an orphan now.
        this.sweep('SIGKILL');
        unregister(tag);
        resolve(info);
      });
    });
  }

  static async spawn(spec: SpawnSpec): Promise<ManagedProcess> {
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const tag = newTag(spec.name);
    const env: Env = { ...spec.env, [TAG_VAR]: tag };
    const echo = spec.echo === true;
    const fd = echo ? undefined : openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env,
        detached: true,
        stdio: fd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`devstack: could not start ${spec.name} (${spec.command}): ${err.message}`);
    }
    child.on('error', () => undefined);
    register(tag, pid);
    if (echo) pipeOutput(child, spec);
    const startTime = procStat(pid)?.startTime;
    if (startTime !== undefined) for (const listener of spawnListeners) listener({ name: spec.name, pid, startTime });
    return new ManagedProcess(spec, child, tag, pid);
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Sends a signal to the process group; with `tree`, also to every process carrying our tag (Chromium). */
  signal(sig: NodeJS.Signals, opts: { tree?: boolean } = {}): void {
    signalGroup(this.pid, sig);
    if (opts.tree === true) for (const pid of taggedPids(this.tag)) signalPid(pid, sig);
  }

  private sweep(sig: NodeJS.Signals): void {
    signalGroup(this.pid, sig);
    for (const pid of taggedPids(this.tag)) signalPid(pid, sig);
  }

  /** SIGTERM (+SIGCONT, in case it is stopped) to the group; SIGKILL after graceMs; returns once nothing is left. */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.running) {
      this.signal('SIGTERM');
      this.signal('SIGCONT');
      const timer = sleep(graceMs).then(() => undefined);
      const done = await Promise.race([this.exited, timer]);
      if (done === undefined) this.sweep('SIGKILL');
    }
    const info = await this.exited;
    const deadline = Date.now() + 5000;
    while (groupPids(this.pid).length + taggedPids(this.tag).length > 0) {
      if (Date.now() > deadline) {
        throw new Error(`devstack: processes of ${this.spec.name} survive SIGKILL: ${[...groupPids(this.pid), ...taggedPids(this.tag)].join(' ')}`);
      }
      this.sweep('SIGKILL');
      await sleep(50);
    }
    return info;
  }
}

function pipeOutput(child: ChildProcess, spec: SpawnSpec): void {
  const file = createWriteStream(spec.logFile, { flags: 'a' });
  file.on('error', () => undefined);
  const color = COLORS[colorIndex++ % COLORS.length] ?? 36;
  const prefix = process.stdout.isTTY ? `\x1b[${color}m[${spec.name}]\x1b[0m ` : `[${spec.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      file.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix}${line}\n`);
    });
    stream.on('end', () => {
      if (pending) process.stdout.write(`${prefix}${pending}\n`);
      pending = '';
    });
    stream.on('error', () => undefined);
  }
  child.once('close', () => file.end());
}

// ---------------------------------------------------------------------------------------------
// Readiness

export class StartError extends Error {
  constructor(
    message: string,
    readonly exitedEarly: boolean,
    readonly logTail: string,
  ) {
    super(message);
    this.name = 'StartError';
  }
}

export interface ReadyOptions {
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
}

/** Polls `check` until it answers true; fails fast (with the log's last 40 lines) if the process exits. */
export async function waitReady(proc: ManagedProcess, check: () => Promise<boolean>, opts: ReadyOptions): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const withLog = (msg: string): string => {
    const t = tail(proc.spec.logFile, 40);
    return `${msg}\n--- last lines of ${proc.spec.logFile} ---\n${t || '(empty)'}\n---`;
  };
  for (;;) {
    if (opts.signal?.aborted === true) throw new StartError(`devstack: start of ${proc.spec.name} aborted`, false, '');
    if (proc.exitInfo !== undefined) {
      const { code, signal } = proc.exitInfo;
      throw new StartError(withLog(`devstack: ${proc.spec.name} exited (code ${code}, signal ${signal}) before ${opts.what}`), true, tail(proc.spec.logFile, 40));
    }
    let ok = false;
    try {
      ok = await check();
    } catch {
      ok = false;
    }
    if (ok) return;
    if (Date.now() > deadline) {
      throw new StartError(withLog(`devstack: ${proc.spec.name} was not ready (${opts.what}) within ${Math.round(opts.timeoutMs / 1000)} s`), false, tail(proc.spec.logFile, 40));
    }
    await sleep(opts.intervalMs ?? 150);
  }
}

// ---------------------------------------------------------------------------------------------
// The handle every started service and app returns

export interface ProcessHandle {
  readonly name: string;
  readonly port: number;
  readonly logFile: string;
  /** The current process id (it changes on restart). */
  readonly pid: number;
  /** Settles when the current process exits (a new promise after restart). */
  readonly exited: Promise<ExitInfo>;
  readonly running: boolean;
  /** Any signal to the process group (SIGSTOP, SIGCONT, SIGKILL...); `tree` also reaches detached descendants such as Chromium. */
  signal(sig: NodeJS.Signals, opts?: { tree?: boolean }): void;
  /** Sends a signal (default SIGKILL) and waits for the process to exit. Orphans it leaves are killed. */
  kill(sig?: NodeJS.Signals): Promise<ExitInfo>;
  /** SIGTERM, then SIGKILL of everything after graceMs; resolves when no process is left. No-op when not running. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Stops (if running) and starts again with the same port, folder and environment; resolves when ready. */
  restart(opts?: { graceMs?: number }): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Shared implementation: `launch` spawns and waits until ready (stopping what it spawned on failure). */
export class ServiceHandle implements ProcessHandle {
  protected proc: ManagedProcess | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly name: string,
    public port: number,
    readonly logFile: string,
    private readonly launch: (port: number) => Promise<ManagedProcess>,
    private readonly defaultGraceMs: number,
  ) {}

  /** Starts the process; used once by the factory functions. */
  async start(): Promise<void> {
    this.proc = await this.launch(this.port);
  }

  private current(): ManagedProcess {
    if (this.proc === undefined) throw new Error(`devstack: ${this.name} was never started`);
    return this.proc;
  }

  get pid(): number {
    return this.current().pid;
  }

  get exited(): Promise<ExitInfo> {
    return this.current().exited;
  }

  get running(): boolean {
    return this.proc?.running === true;
  }

  signal(sig: NodeJS.Signals, opts?: { tree?: boolean }): void {
    const proc = this.current();
    if (proc.running) proc.signal(sig, opts);
  }

  async kill(sig: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    const proc = this.current();
    if (proc.running) proc.signal(sig);
    return proc.exited;
  }

  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    const proc = this.proc;
    if (proc === undefined) return;
    if (this.stopping) return this.stopping;
    this.stopping = proc
      .stop(opts.graceMs ?? this.defaultGraceMs)
      .then(() => undefined)
      .finally(() => {
        this.stopping = undefined;
      });
    return this.stopping;
  }

  async restart(opts: { graceMs?: number } = {}): Promise<void> {
    await this.stop(opts);
    this.proc = await this.launch(this.port);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Spawns, waits for readiness, and stops the child again if it never becomes ready. */
export async function spawnReady(spec: SpawnSpec, check: () => Promise<boolean>, opts: ReadyOptions): Promise<ManagedProcess> {
  const proc = await ManagedProcess.spawn(spec);
  try {
    await waitReady(proc, check, opts);
    return proc;
  } catch (err) {
    await proc.stop(2000).catch(() => undefined);
    throw err;
  }
}
