/** What runs under a process, from /proc: to count Chromium processes and measure memory. */
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  rssKb: number;
  /** Nice value of the main thread. */
  nice: number;
  /** CPU seconds (user + system) it has used so far. */
  cpuS: number;
}

const TICKS = 100; // USER_HZ on Linux

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const state = fields[0];
    if (state === 'Z') return null; // a zombie holds no memory and is about to be reaped
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return { pid, ppid: Number(fields[1]), comm, rssKb: Number(rss ?? 0), nice: Number(fields[16]), cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS };
  } catch {
    return null;
  }
}

/**
 * Proportional set size in kB: each page shared by n processes counts 1/n to each, so a tree's
 * sum is its real footprint (RSS sums count Chromium's shared pages once per process). 0 when the
 * process is gone.
 */
export function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function allProcs(): Proc[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readProc(Number(d)))
    .filter((p): p is Proc => p !== null);
}

/** `pid` and everything below it. */
export function tree(pid: number, procs = allProcs()): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const stack = procs.filter((p) => p.pid === pid);
  while (stack.length > 0) {
    const p = stack.pop();
    if (!p) break;
    out.push(p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

export const isChromium = (p: Proc) => /chrom/i.test(p.comm);

/** Chromium processes anywhere on the machine whose environment holds `marker`. */
export function chromiumWith(marker: string): Proc[] {
  return allProcs()
    .filter(isChromium)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/environ`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    });
}

/** Chromium's crash-report handler: started by each browser, but detached from it on purpose. */
export const isCrashpad = (p: Proc) => /crashpad/i.test(p.comm);
