// Runs one baseline server (BENCH_BASELINE=submit-handler | relay) from its TypeScript source in
// a process of its own, as devstack runs an app: the baselines are typechecked and linted with
// the benchmarks, and never share the benchmark client's event loop.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const name = process.env.BENCH_BASELINE ?? '';
if (!/^[a-z-]+$/.test(name)) throw new Error(`BENCH_BASELINE must name a baseline in tests/bench/baselines, not "${name}"`);
await import(`./${name}.ts`);
