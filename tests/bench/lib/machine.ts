/** What the figures were measured on: they mean little without the cores, the memory and the load. */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureChromium, ensureFerretdb } from '@zpub/devstack';

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
