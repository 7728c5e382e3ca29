import type { BenchOutcome } from './report';

export interface BenchContext {
  /** Shorter runs and fewer rounds, for trying the harness out; never for published figures. */
  quick: boolean;
  log(message: string): void;
}

export interface Benchmark {
  key: string;
  /** Other names that select it on the command line. */
  aliases?: string[];
  title: string;
  run(ctx: BenchContext): Promise<BenchOutcome>;
}
