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
