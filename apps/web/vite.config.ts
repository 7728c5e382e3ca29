import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The API runs on its own port in development; in production the server hosts dist/ itself.
const api = process.env.ZPUB_API_ORIGIN ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [solid()],
  build: {
    outDir: 'dist',
    target: 'es2022',
    // Report gzip sizes so the 150 kB budget of the initial bundle stays visible.
    reportCompressedSize: true,
  },
  server: {
    port: 5173,
    proxy: {
      // SSE (the task.onUpdate subscription) passes through as a long-lived response. The
      // server refuses state changes from another origin, so requests arrive as its own.
      '/trpc': { target: api, changeOrigin: true, headers: { origin: api } },
      '/api': { target: api, changeOrigin: true, headers: { origin: api } },
      // Uploaded images (POST /assets, GET /assets/<sha256>); Vite's own files never match.
      '^/assets(/[a-f0-9]{64})?$': { target: api, changeOrigin: true, headers: { origin: api } },
    },
  },
});
