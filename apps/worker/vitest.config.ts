import { defineConfig } from 'vitest/config';

// Some worker suites start real processes (Xvfb, Chromium): on a busy two-core machine a few
// seconds is not enough, and a timeout is not what these tests are about.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } });
