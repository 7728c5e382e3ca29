/**
 * A summary of a V8 CPU profile (`node --cpu-prof`): where a process spent its time, by self time
 * per function and by package, so a benchmark can say why a target is or is not met.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: Node[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  byFunction: { name: string; ms: number }[];
  byPackage: { name: string; ms: number }[];
}

function where(url: string): string {
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node core';
  const m = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : url.split('/').slice(-2).join('/');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, t] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += t;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += t;
      continue;
    }
    const w = name === '(garbage collector)' || name === '(program)' ? name : where(n.callFrame.url);
    const key = `${name} (${w}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''})`;
    fn.set(key, (fn.get(key) ?? 0) + t);
    pkg.set(w, (pkg.get(w) ?? 0) + t);
  }
  const list = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms }));
  return { totalMs: total, idleMs: idle, byFunction: list(fn), byPackage: list(pkg) };
}

/** The newest .cpuprofile in a folder. */
export function newestProfile(dir: string): string | null {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const last = files.at(-1);
  return last ? join(dir, last) : null;
}

export function profileMarkdown(s: ProfileSummary, what: string): string {
  const busy = s.totalMs - s.idleMs;
  const pct = (v: number) => `${((100 * v) / Math.max(1, busy)).toFixed(1)} %`;
  const lines = [
    `CPU profile of ${what}: ${(busy / 1000).toFixed(1)} s busy of ${(s.totalMs / 1000).toFixed(1)} s sampled.`,
    '',
    '| where (by package) | share of busy time |',
    '|---|---|',
    ...s.byPackage.slice(0, 8).map((e) => `| ${e.name} | ${pct(e.ms)} |`),
    '',
    '| function (self time) | share of busy time |',
    '|---|---|',
    ...s.byFunction.slice(0, Number(process.env.TOPN ?? 10)).map((e) => `| \`${e.name.replace(/\|/g, '\\|')}\` | ${pct(e.ms)} |`),
  ];
  return lines.join('\n');
}

/** Inclusive time per function (self + callees), for functions whose location matches `filter`. */
export function inclusive(file: string, filter: RegExp, top = 25): { name: string; ms: number }[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i] ?? 0, (self.get(samples[i] ?? 0) ?? 0) + (deltas[i] ?? 0) / 1000);
  const out = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const key = `${n.callFrame.functionName || '(anonymous)'} (${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1})`;
      if (!filter.test(key) || seen.has(key)) continue;
      seen.add(key);
      out.set(key, (out.get(key) ?? 0) + t);
    }
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms }));
}
