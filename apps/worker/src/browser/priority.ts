/**
 * Chromium does the heavy work of a worker; the processes that report on it (this worker, and on
 * a one-machine setup the server, Redis and MongoDB) must not wait behind its renderers for a
 * turn on the CPU, or every progress event arrives late. So the browser and everything it has
 * started run at a lower priority (a higher nice value); the renderers it forks later inherit it.
 * On a machine with spare cores this changes nothing; on a busy one it keeps events prompt, and
 * costs publishing throughput (measured: about a fifth on 2 cores), so it is opt-in (BROWSER_NICE).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Pid → parent pid of every process visible in /proc (Linux); empty elsewhere. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ..." where comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(name), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** `root` and its descendants. */
export function processTree(root: number): number[] {
  const ppids = parents();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of ppids) if (ppid === tree[i] && !tree.includes(pid)) tree.push(pid);
  }
  return tree;
}

/** The thread ids of a process: on Linux a nice value belongs to each thread, not the process. */
function threads(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [pid];
  }
}

/** Sets `nice` on every thread of `root` and its descendants; returns how many processes took it. */
export function lowerPriority(root: number | undefined, nice: number): number {
  if (root === undefined || nice <= 0) return 0;
  let done = 0;
  for (const pid of processTree(root)) {
    let took = false;
    for (const tid of threads(pid)) {
      try {
        if (getPriority(tid) < nice) setPriority(tid, nice);
        took = true;
      } catch {
        // Gone already, or not ours to change: the others still count.
      }
    }
    if (took) done++;
  }
  return done;
}

/** Lowers `root`'s tree now and again every `everyMs` until the returned function is called. */
export function keepLowered(root: number | undefined, nice: number, everyMs = 1000): () => void {
  if (root === undefined || nice <= 0) return () => undefined;
  lowerPriority(root, nice);
  const timer = setInterval(() => lowerPriority(root, nice), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
