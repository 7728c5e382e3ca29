/** What the figures were measured on: they mean little without the cores, the memory and the load. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureChromium, ensureFerretdb } from '@zpub/devstack';
import { allProcs } from '../../support/procs';

export interface Machine {
  cores: number;
  cpuModel: string;
  ramGb: number;
  node: string;
  chromium: string;
  redis: string;
  ferretdb: string;
  os: string;
}

function version(cmd: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? out.trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(): Promise<Machine> {
  const list = cpus();
  let os = 'Linux';
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' }))?.[1] ?? os;
  } catch {
    // not fatal: the name of the distribution is a nicety
  }
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    ramGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    chromium: version(ensureChromium(), ['--version'], /Chromium ([\d.]+)/),
    redis: version('redis-server', ['--version'], /v=([\d.]+)/),
    ferretdb: version(await ensureFerretdb({ log: () => undefined }), ['--version'], /version: (v[\d.]+)/),
    os,
  };
}

/** The 1-minute load average: anything else running on the machine skews every figure. */
export function load1(): number {
  return loadavg()[0] ?? 0;
}

export interface SourceStamp {
  commit: string;
  /** Files that differ from the commit (the run's own outputs left out): the figures are of those too. */
  dirty: string[];
}

/** Written by the run itself; a tree that differs only in them is still the commit. */
export const RUN_OUTPUTS = ['BENCHMARKS.md', 'tests/bench/results.json', 'tests/bench/out/'];

/** The commit the figures belong to, and what in the tree differs from it. */
export function sourceStamp(root: string): SourceStamp {
  const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let commit = 'unknown';
  let dirty: string[] = [];
  try {
    commit = git(['rev-parse', 'HEAD']).trim();
    dirty = dirtyFiles(git(['status', '--porcelain', '--untracked-files=all']));
  } catch {
    dirty = ['(not a git checkout: the sources cannot be named)'];
  }
  return { commit, dirty };
}

/** Paths from `git status --porcelain`, without the run's own outputs. */
export function dirtyFiles(porcelain: string): string[] {
  return porcelain
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.slice(3).replace(/^.* -> /, ''))
    .filter((f) => !RUN_OUTPUTS.some((o) => (o.endsWith('/') ? f.startsWith(o) : f === o)));
}

/** Seconds of CPU used by the whole machine so far (every core, everything but idle and iowait). */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

/** The processes that used the most CPU over `ms`, as "name (pid) 0.42 cores". */
async function busiest(ms: number, count: number): Promise<string[]> {
  const before = new Map(allProcs().map((p) => [p.pid, p.cpuS]));
  await new Promise((r) => setTimeout(r, ms));
  return allProcs()
    .map((p) => ({ ...p, cores: (p.cpuS - (before.get(p.pid) ?? p.cpuS)) / (ms / 1000) }))
    .filter((p) => p.cores >= 0.01)
    .sort((a, b) => b.cores - a.cores)
    .slice(0, count)
    .map((p) => `${p.comm} (${p.pid}) ${p.cores.toFixed(2)} cores`);
}

export interface Settled {
  /** Seconds waited for the machine to go quiet. */
  waitedS: number;
  /** Cores busy over the last 2 s window before the stage started. */
  busyCores: number;
  /** When it never went quiet: what was using the CPU at the end of the wait. */
  busiest: string[];
}

/**
 * Waits until the whole machine is quiet (fewer than `cores` busy over a 2 s window, twice in a
 * row) or `maxMs` passed. A stage that starts while the previous one's processes still wind down,
 * or while the 1-minute load average still carries them, measures them instead of itself.
 */
export async function settleMachine(cores = 0.3, maxMs = 180_000): Promise<Settled> {
  const t0 = Date.now();
  let quiet = 0;
  let busy = Infinity;
  while (Date.now() - t0 < maxMs) {
    const before = machineBusySeconds();
    await new Promise((r) => setTimeout(r, 2000));
    busy = (machineBusySeconds() - before) / 2;
    quiet = busy < cores ? quiet + 1 : 0;
    if (quiet >= 2) return { waitedS: Math.round((Date.now() - t0) / 1000), busyCores: busy, busiest: [] };
  }
  return { waitedS: Math.round((Date.now() - t0) / 1000), busyCores: busy, busiest: await busiest(2000, 5) };
}
