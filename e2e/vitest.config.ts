// End-to-end tests: drive the built app (browser mode with Debian's chromium; Electron when installed).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: `${import.meta.dirname}/..`,
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    // One browser at a time: the machine has 2 cores and other work runs beside us.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
