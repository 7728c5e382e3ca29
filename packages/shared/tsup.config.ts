import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/node/index.ts', 'src/markdown.ts'],
  format: ['esm'],
  target: 'es2022',
  sourcemap: true,
  clean: true,
  // Subpaths share code through chunks instead of copying it.
  splitting: true,
});
