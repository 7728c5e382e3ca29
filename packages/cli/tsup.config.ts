import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts' },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // The shared contracts are bundled in, so a deployed CLI needs neither the workspace nor the
  // server-side dependencies of @zpub/shared (MongoDB, Redis drivers); the rest stays external.
  noExternal: ['@zpub/shared'],
});
