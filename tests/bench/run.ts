/**
 * `pnpm bench [-- name ...]`: runs the benchmarks (all, or the named ones) against the real stack
 * on this machine. A full run writes BENCHMARKS.md and results.json, all of it from this one run;
 * a partial run writes tests/bench/out/ only. It exits 1 when a target fails (unless
 * --report-only) or a benchmark cannot run (a refused request, a lost event, a failed publish),
 * and refuses to start on a busy machine unless --force. `--help` tells the rest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinary, ensureChromium, ensureFerretdb, repoRoot } from '@zpub/devstack';
import { agreeBenchmark } from './agree';
import { batchBenchmark } from './batch';
import { eventsBenchmark } from './events';
import { fanoutBenchmark } from './fanout';
import { MAX_LOAD, USAGE, loadRefusal, parseArgs } from './lib/args';
import { describeMachine, load1, settleMachine, sourceStamp } from './lib/machine';
import { render, summaryLines, type BenchResult, type RunRecord } from './lib/report';
import { exitCode } from './lib/verdict';
import type { Benchmark } from './lib/types';
import { memoryBenchmark } from './memory';
import { niceBenchmark } from './nice';
import { publishBenchmark } from './publish';
import { scaleBenchmark } from './scale';
import { spaBenchmark } from './spa';
import { submitBenchmark } from './submit';

const BENCHMARKS: Benchmark[] = [submitBenchmark, batchBenchmark, eventsBenchmark, fanoutBenchmark, niceBenchmark, publishBenchmark, memoryBenchmark, spaBenchmark, scaleBenchmark, agreeBenchmark];

const root = repoRoot();
const RESULTS = join(root, 'tests', 'bench', 'results.json');
const REPORT = join(root, 'BENCHMARKS.md');
/** Partial runs, and the progress of a full run until it ends (git ignores it). */
const OUT = join(root, 'tests', 'bench', 'out');

/**
 * Everything the benchmarks start must be there and built from the current sources. Turbo knows
 * (by content hash; a build it restores from its cache keeps the cached files' old times, so file
 * times cannot tell), so the builds are brought up to date here, which costs seconds when they are.
 */
async function preflight(): Promise<void> {
  const problems: string[] = [];
  const built: [string, string][] = [
    ['apps/server/dist/main.js', '@zpub/server'],
    ['apps/worker/dist/main.js', '@zpub/worker'],
    ['apps/sandbox/dist/main.js', '@zpub/sandbox'],
    ['apps/web/dist/index.html', '@zpub/web'],
    ['packages/shared/dist/index.js', '@zpub/shared'],
    ['tooling/devstack/dist/index.js', '@zpub/devstack'],
  ];
  const build = spawnSync('pnpm', ['turbo', 'run', 'build', '--output-logs=errors-only', ...built.map(([, pkg]) => `--filter=${pkg}`)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) problems.push(`pnpm turbo run build failed (exit ${build.status ?? build.signal}): the apps must build before they can be measured`);
  for (const [out, pkg] of built) {
    if (!existsSync(join(root, out))) problems.push(`${out} is missing: build it (pnpm --filter ${pkg} build, or pnpm build)`);
  }
  for (const check of [() => ensureBinary('redis-server'), () => ensureChromium(), () => ensureFerretdb({ log: (l) => console.log(`[bench] ${l}`) })]) {
    try {
      await check();
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new Error(`The stack is not ready for benchmarks:\n  - ${problems.join('\n  - ')}`);
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if ('error' in args) {
    console.error(args.error);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  if (args.list) {
    for (const b of BENCHMARKS) console.log(`${b.key.padEnd(10)} ${b.title}${b.aliases ? ` (also: ${b.aliases.join(', ')})` : ''}`);
    return 0;
  }
  const selected = args.names.length === 0 ? BENCHMARKS : args.names.map((n) => BENCHMARKS.find((b) => b.key === n || b.aliases?.includes(n)) ?? n);
  const unknown = selected.filter((s): s is string => typeof s === 'string');
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => [b.key, ...(b.aliases ?? [])].join('/')).join(', ')}`);
    return 2;
  }
  const run = [...new Set(selected as Benchmark[])];
  const partial = args.names.length === 0 ? null : run.map((b) => b.key);
  // Before anything of ours adds to it: the root script reads it before turbo builds the apps.
  const given = process.env.ZPUB_BENCH_LOAD;
  const loadBefore = given && Number.isFinite(Number(given)) ? Number(given) : load1();
  const refusal = loadRefusal(loadBefore, args.force);
  if (refusal) {
    console.error(`[bench] ${refusal}`);
    return 3;
  }
  await preflight();
  const stamp = sourceStamp(root);
  const flags = [args.force ? '--force' : '', args.reportOnly ? '--report-only' : '', args.quick ? '--quick' : ''].filter(Boolean);
  const record: RunRecord = {
    command: `pnpm bench${partial || flags.length > 0 ? ` -- ${[...(partial ?? []), ...flags].join(' ')}` : ''}`,
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    commit: stamp.commit,
    dirty: stamp.dirty,
    machine: await describeMachine(),
    loadBefore,
    loadAfter: loadBefore,
    forced: args.force && loadBefore > MAX_LOAD,
    quick: args.quick,
    reportOnly: args.reportOnly,
    partial,
    results: [],
  };
  if (record.forced) console.warn(`[bench] forced at load average ${loadBefore.toFixed(2)}: the report will say so`);
  mkdirSync(OUT, { recursive: true });
  const base = join(OUT, `${record.startedAt.replace(/[:.]/g, '-')}-${partial ? partial.join('-') : 'full'}`);
  const save = () => {
    writeFileSync(`${base}.json`, `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(`${base}.md`, render(record));
  };
  for (const b of run) {
    // The previous stage's processes wind down, and the load average carries them for a minute.
    const settled = await settleMachine();
    if (settled.busiest.length > 0) console.warn(`[bench] the machine did not go quiet in ${settled.waitedS} s (${settled.busyCores.toFixed(2)} cores busy): ${settled.busiest.join(', ')}`);
    const t0 = Date.now();
    const before = load1();
    console.log(`\n[bench] ${b.key}: ${b.title} (load average ${before.toFixed(1)}; ${settled.busyCores.toFixed(2)} cores busy after ${settled.waitedS} s of settling)`);
    const head = { key: b.key, title: b.title, ranAt: new Date().toISOString(), loadBefore: before, settled };
    let result: BenchResult;
    try {
      const outcome = await b.run({ quick: args.quick, log: (m) => console.log(`[bench:${b.key}] ${m}`) });
      result = { ...head, ...outcome, loadAfter: load1(), durationS: Math.round((Date.now() - t0) / 1000) };
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`[bench:${b.key}] ERROR: ${message}`);
      result = { ...head, method: '', figures: [], targets: [], notes: [], error: message, loadAfter: load1(), durationS: Math.round((Date.now() - t0) / 1000) };
    }
    record.results.push(result);
    record.endedAt = new Date().toISOString();
    record.loadAfter = result.loadAfter;
    save();
  }
  if (partial) {
    console.log(`\n[bench] partial run: wrote ${base}.md (BENCHMARKS.md is written by full runs only)`);
  } else {
    writeFileSync(RESULTS, `${JSON.stringify(record, null, 2)}\n`);
    writeFileSync(REPORT, render(record));
    console.log(`\n[bench] wrote ${REPORT} and ${RESULTS}`);
  }
  console.log(`[bench] done in ${Math.round((Date.parse(record.endedAt) - Date.parse(record.startedAt)) / 1000)} s at commit ${record.commit.slice(0, 10)}${record.dirty.length > 0 ? ' (dirty)' : ''}:`);
  for (const line of summaryLines(record)) console.log(`  ${line}`);
  const code = exitCode(record.results, args.reportOnly);
  if (code !== 0) console.error(`[bench] exit ${code}: ${record.results.some((r) => r.error) ? 'a benchmark could not run' : 'a target was missed'}${args.reportOnly ? '' : ' (--report-only reports without failing on missed targets)'}`);
  return code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
