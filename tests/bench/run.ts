/**
 * `pnpm bench [-- name ...]`: runs the benchmarks (all, or the named ones) against the real stack
 * on this machine and rewrites BENCHMARKS.md. A benchmark that cannot run its stack, or whose run
 * is broken (a refused request, a lost event, a failed publish), reports an error, not a number,
 * and the command exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinary, ensureChromium, ensureFerretdb, repoRoot } from '@zpub/devstack';
import { agreeBenchmark } from './agree';
import { batchBenchmark } from './batch';
import { eventsBenchmark } from './events';
import { fanoutBenchmark } from './fanout';
import { describeMachine, load1 } from './lib/machine';
import { readResults, writeResults, type BenchResult } from './lib/report';
import type { Benchmark } from './lib/types';
import { memoryBenchmark } from './memory';
import { publishBenchmark } from './publish';
import { scaleBenchmark } from './scale';
import { spaBenchmark } from './spa';
import { submitBenchmark } from './submit';

const BENCHMARKS: Benchmark[] = [submitBenchmark, batchBenchmark, eventsBenchmark, fanoutBenchmark, publishBenchmark, memoryBenchmark, spaBenchmark, scaleBenchmark, agreeBenchmark];
const ORDER = BENCHMARKS.map((b) => b.key);

const root = repoRoot();
const RESULTS = join(root, 'tests', 'bench', 'results.json');
const REPORT = join(root, 'BENCHMARKS.md');

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
  const args = argv.filter((a) => a !== '--');
  const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
  const names = args.filter((a) => !a.startsWith('--'));
  if (args.includes('--list')) {
    for (const b of BENCHMARKS) console.log(`${b.key.padEnd(10)} ${b.title}${b.aliases ? ` (also: ${b.aliases.join(', ')})` : ''}`);
    return 0;
  }
  const selected = names.length === 0 ? BENCHMARKS : names.map((n) => BENCHMARKS.find((b) => b.key === n || b.aliases?.includes(n)) ?? n);
  const unknown = selected.filter((s): s is string => typeof s === 'string');
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => [b.key, ...(b.aliases ?? [])].join('/')).join(', ')}`);
    return 2;
  }
  const run = [...new Set(selected as Benchmark[])];
  await preflight();
  const machine = await describeMachine();
  const command = `pnpm bench${names.length > 0 ? ` -- ${names.join(' ')}` : ''}${quick ? ' (quick)' : ''}`;
  const results = readResults(RESULTS);
  let failed = 0;
  const started = Date.now();
  for (const b of run) {
    const t0 = Date.now();
    const loadBefore = load1();
    console.log(`\n[bench] ${b.key}: ${b.title} (load average ${loadBefore.toFixed(1)})`);
    const base = { key: b.key, title: b.title, ranAt: new Date().toISOString(), loadBefore, command, machine };
    let result: BenchResult;
    try {
      const outcome = await b.run({ quick, log: (m) => console.log(`[bench:${b.key}] ${m}`) });
      result = { ...base, ...outcome, durationS: Math.round((Date.now() - t0) / 1000) };
      for (const t of result.targets) console.log(`[bench:${b.key}] ${t.pass === null ? 'stated' : t.pass ? 'pass' : 'FAIL'}  ${t.what}: ${t.measured} (target ${t.target})`);
    } catch (err) {
      failed++;
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      console.error(`[bench:${b.key}] ERROR: ${message}`);
      result = { ...base, method: '', figures: [], targets: [], notes: [], error: message, durationS: Math.round((Date.now() - t0) / 1000) };
    }
    if (quick) result.notes.unshift('_Quick run (`--quick`): fewer and shorter runs; not for comparison._');
    results.set(b.key, result);
    writeResults(RESULTS, REPORT, [...results.values()], ORDER);
  }
  console.log(`\n[bench] done in ${Math.round((Date.now() - started) / 1000)} s; wrote ${REPORT}`);
  if (failed > 0) console.error(`[bench] ${failed} benchmark(s) could not run; see the errors above and in BENCHMARKS.md`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[bench] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
