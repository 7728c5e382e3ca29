import { defineConfig } from 'tsup';

export default defineConfig({
  // main.ts is the process; app.ts is what other packages' suites import to run a sandbox in-process.
  entry: ['src/main.ts', 'src/app.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
