import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'src-preload/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    // onnxruntime-node sessions are heavy; one worker per core keeps memory and CPU honest on 2-core machines.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
