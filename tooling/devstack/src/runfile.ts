// The run files of `./dev start` and `./dev worker` (<DATA_DIR>/run/*.json): who runs, what it
// started (so a later run or `./dev stop` can clean up after a killed one), the state of each part
// (for `./dev status`), and where the system lives (so `./dev worker` can join it on this machine).
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerAlive, type SpawnedChild } from './proc.js';
import type { PartStatus } from './supervise.js';

export interface SystemAddress {
  redis: string;
  mongo: string;
  prefix: string;
  sandbox: string;
  app?: string;
}

export interface RunFile {
  kind: 'start' | 'worker';
  pid: number;
  owner: string;
  startedAt: string;
  dataDir: string;
  /** The system the processes serve (full URIs: the file is readable by its owner only). */
  system?: SystemAddress;
  /** Where the apps of a `./dev start` get ZPUB_SECRET_KEY: the environment, or DATA_DIR/secret.key. */
  secretKey?: 'env' | 'file';
  children: SpawnedChild[];
  parts: PartStatus[];
}

export const startRunFile = (dataDir: string): string => join(dataDir, 'run', 'devstack.json');
export const workerRunFile = (dataDir: string, workerId: string): string => join(dataDir, 'run', `worker-${workerId}.json`);

function isChild(x: unknown): x is SpawnedChild {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r['name'] === 'string' && typeof r['pid'] === 'number' && typeof r['startTime'] === 'string';
}

function isPart(x: unknown): x is PartStatus {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r['name'] === 'string' && typeof r['state'] === 'string' && typeof r['restarts'] === 'number';
}

function isSystem(x: unknown): x is SystemAddress {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r['redis'] === 'string' && typeof r['mongo'] === 'string' && typeof r['prefix'] === 'string' && typeof r['sandbox'] === 'string';
}

/** The run file, or undefined when it is missing or unreadable. Files of older launchers lack parts and kind. */
export function readRunFile(file: string): RunFile | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const r = data as Record<string, unknown>;
  const { pid, owner } = r;
  if (typeof pid !== 'number' || typeof owner !== 'string') return undefined;
  return {
    kind: r['kind'] === 'worker' ? 'worker' : 'start',
    pid,
    owner,
    startedAt: typeof r['startedAt'] === 'string' ? r['startedAt'] : '',
    dataDir: typeof r['dataDir'] === 'string' ? r['dataDir'] : '',
    ...(isSystem(r['system']) ? { system: r['system'] } : {}),
    ...(r['secretKey'] === 'env' || r['secretKey'] === 'file' ? { secretKey: r['secretKey'] } : {}),
    children: Array.isArray(r['children']) ? r['children'].filter(isChild) : [],
    parts: Array.isArray(r['parts']) ? r['parts'].filter(isPart) : [],
  };
}

/** Written aside and renamed into place, so `./dev status` never reads half a file. */
export function writeRunFile(file: string, record: RunFile): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** Every run file in <dataDir>/run, the `./dev start` one first. */
export function listRunFiles(dataDir: string): { file: string; run: RunFile }[] {
  const dir = join(dataDir, 'run');
  if (!existsSync(dir)) return [];
  const out: { file: string; run: RunFile }[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    const run = readRunFile(file);
    if (run) out.push({ file, run });
  }
  return out.sort((a, b) => (a.run.kind === b.run.kind ? 0 : a.run.kind === 'start' ? -1 : 1));
}

/** A URI without its user name and password (they never go to a terminal or a log). */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}

function ago(iso: string, now: number): string {
  const ms = now - Date.parse(iso);
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

/** The system's address without credentials. */
export function redactSystem(sys: SystemAddress): SystemAddress {
  return { ...sys, redis: redactUri(sys.redis), mongo: redactUri(sys.mongo) };
}

/** What `./dev status` prints for one run file. */
export function formatRun(run: RunFile, now = Date.now()): string {
  const alive = ownerAlive(run.owner);
  const what = run.kind === 'start' ? './dev start' : './dev worker';
  const head = alive
    ? `${what} (pid ${run.pid}), running for ${ago(run.startedAt, now)}, data in ${run.dataDir || '?'}`
    : `${what} (pid ${run.pid}) is not running any more (it did not clean up; ./dev stop or the next ./dev start does)`;
  const lines = [head];
  if (!alive) return lines.join('\n');
  if (run.parts.length === 0) {
    lines.push('  starting: no part is up yet');
    return lines.join('\n');
  }
  const rows = [['PART', 'STATE', 'PID', 'PORT', 'RESTARTS', 'LAST EXIT']];
  for (const p of run.parts) {
    const last = p.lastExit === null ? '-' : `${p.lastExit}, ${ago(p.lastExitAt ?? '', now)} ago${p.recentExits > 1 ? ` (${p.recentExits} exits within a minute)` : ''}`;
    rows.push([p.name, p.state, p.pid === null ? '-' : String(p.pid), String(p.port), String(p.restarts), last]);
  }
  lines.push(...table(rows));
  const sys = run.system;
  if (sys) {
    const shown = redactSystem(sys);
    if (shown.app) lines.push(`  app ${shown.app}   sandbox ${shown.sandbox}`);
    lines.push(`  redis ${shown.redis} (prefix ${shown.prefix})   mongodb ${shown.mongo}`);
  }
  return lines.join('\n');
}
