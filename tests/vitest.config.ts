import { defineConfig } from 'vitest/config';

// Every suite boots real processes (Redis, FerretDB, Chromium); on two cores they run one file at a time.
// Benchmarks never run here (they are not *.test.ts, and bench/ is excluded); only the unit tests
// of the harness's own logic in bench/lib/, which start nothing and take milliseconds.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'bench/!(lib)/**', 'bench/*.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
