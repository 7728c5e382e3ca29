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

/** `root` and its descendants, from the parent pids in /proc (Linux; just `root` elsewhere). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    // Not Linux.
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ..." where comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] ?? -1) ?? []));
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

/** Sets `nice` on every thread of `root` and its descendants that runs at a higher priority. */
function lowerPriority(root: number, nice: number): void {
  for (const pid of processTree(root)) {
    for (const tid of threads(pid)) {
      try {
        if (getPriority(tid) < nice) setPriority(tid, nice);
      } catch {
        // Gone already, or not ours to change: the others still count.
      }
    }
  }
}

/** Lowers `root`'s tree now and again every `everyMs` until the returned function is called. */
export function keepLowered(root: number | undefined, nice: number, everyMs = 1000): () => void {
  if (root === undefined || nice <= 0) return () => undefined;
  lowerPriority(root, nice);
  const timer = setInterval(() => lowerPriority(root, nice), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
