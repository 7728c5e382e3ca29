import { defineConfig } from 'tsup';

export default defineConfig({
  // The server, and the key-rotation command operators run next to it (docs/security.md).
  entry: { main: 'src/main.ts', 'rotate-key': 'src/cli/rotate-key.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
