/** `./dev` run as a person runs it, in its own process group, with its output kept line by line. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@zpub/devstack';

export const DEV = join(repoRoot(), 'dev');

export class Launched {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(DEV, args, { cwd: repoRoot(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        this.lines.push(...parts);
        for (const w of this.waiters) w();
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    void this.exited.then(() => {
      for (const w of this.waiters) w();
    });
  }

  /** `./dev` execs node, so this is the launcher's own process. */
  get pid(): number {
    const pid = this.child.pid;
    if (pid === undefined) throw new Error('./dev did not start');
    return pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The launcher's own lines ([dev] ...), without the apps' output. */
  get devLines(): string[] {
    return this.lines.filter((l) => l.startsWith('[dev] '));
  }

  /** Waits until `count` lines match; fails with the last lines when it exits or the time is up. */
  async until(re: RegExp, count = 1, timeoutMs = 120_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.lines.filter((l) => re.test(l));
      if (hits.length >= count) return hits;
      const why = !this.running ? 'it exited' : Date.now() > deadline ? 'time is up' : null;
      if (why) throw new Error(`${why} before ${count} line(s) matched ${re}; its last lines:\n${this.lines.slice(-40).join('\n')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) process.kill(this.pid, sig);
  }

  /** SIGKILL to its group; its watchdog then ends what it started. */
  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs a short `./dev` command (status, doctor) to the end. */
export function devSync(args: string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(DEV, args, { cwd: repoRoot(), env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface StatusRow {
  part: string;
  state: string;
  pid: number | null;
  port: number;
  restarts: number;
  lastExit: string;
}

/** The PART table of `./dev status` for one run, as a person reads it. */
export function parseStatus(stdout: string): StatusRow[] {
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => /^\s+PART\s+STATE\s+PID\s+PORT\s+RESTARTS\s+LAST EXIT$/.test(l));
  if (head < 0) throw new Error(`no PART table in:\n${stdout}`);
  const rows: StatusRow[] = [];
  for (const line of lines.slice(head + 1)) {
    const cells = line.trim().split(/\s{2,}/);
    const [part, state, pid, port, restarts, ...last] = cells;
    if (!part || !state || !pid || !port || restarts === undefined || !/^\d+$/.test(restarts)) break;
    rows.push({ part, state, pid: pid === '-' ? null : Number(pid), port: Number(port), restarts: Number(restarts), lastExit: last.join('  ') });
  }
  return rows;
}

/** Processes whose environment carries a devstack tag of the owner `ownerPid` (what it started, Chromium included). */
export function taggedBy(ownerPid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (/^\S+ \(.*\) [ZX] /.test(stat)) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (environ.some((kv) => kv.startsWith(`ZPUB_DEVSTACK_TAG=${ownerPid}-`))) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}
