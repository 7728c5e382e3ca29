import { defineConfig } from 'vitest/config';

// Every suite boots real processes (Redis, FerretDB, Chromium); on two cores they run one file at a time.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'bench/**'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
  },
});
