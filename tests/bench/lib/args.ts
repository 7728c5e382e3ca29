/** The command line of `pnpm bench`, and the rule that keeps a busy machine from writing the report. */

export interface RunArgs {
  /** Benchmarks named on the command line; empty means all (a full run). */
  names: string[];
  quick: boolean;
  force: boolean;
  reportOnly: boolean;
  list: boolean;
  help: boolean;
}

/** Above this 1-minute load average (on any number of cores) other work would skew every figure. */
export const MAX_LOAD = 1.5;

const FLAGS = ['--quick', '--force', '--report-only', '--list', '--help'] as const;

export const USAGE = `pnpm bench [-- [names...] [--force] [--report-only] [--quick] [--list]]

  (no names)      every benchmark, one after the other; writes BENCHMARKS.md and tests/bench/results.json
  names...        only these (see --list); writes tests/bench/out/<time>-<names>.md and .json, never BENCHMARKS.md
  --force         run although the 1-minute load average is above ${MAX_LOAD}; the report says so in its first lines
  --report-only   a missed target does not make the exit code non-zero (a benchmark that could not run still does)
  --quick         short runs for trying the harness out; the report says so
  --list          name the benchmarks and exit

Exit codes: 0 every target met; 1 a target failed or a benchmark could not run; 2 bad arguments;
3 refused to start on a busy machine.`;

export function parseArgs(argv: readonly string[]): RunArgs | { error: string } {
  const args = argv.filter((a) => a !== '--');
  const unknown = args.filter((a) => a.startsWith('-') && !(FLAGS as readonly string[]).includes(a));
  if (unknown.length > 0) return { error: `unknown option(s): ${unknown.join(' ')}\n\n${USAGE}` };
  return {
    names: args.filter((a) => !a.startsWith('-')),
    quick: args.includes('--quick') || process.env.BENCH_QUICK === '1',
    force: args.includes('--force'),
    reportOnly: args.includes('--report-only'),
    list: args.includes('--list'),
    help: args.includes('--help'),
  };
}

/** Why the run must not start, or null. `--force` starts anyway (and the report says so). */
export function loadRefusal(load: number, force: boolean): string | null {
  if (force || load <= MAX_LOAD) return null;
  return (
    `The 1-minute load average is ${load.toFixed(2)}, above ${MAX_LOAD}: something else is using the machine, and every figure would ` +
    'measure it too. Wait for a quiet machine, or pass --force (the report then says it was forced, at which load).'
  );
}
