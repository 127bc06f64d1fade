import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'main',
          include: ['src-main/**/*.test.ts', 'src-preload/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
          // onnxruntime-node sessions are heavy; forks keep native memory per test file and isolate crashes.
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Renderer modules tested in Node: pure helpers and *.svelte.ts state, whose runes the plugin compiles.
        plugins: [svelte({ configFile: false })],
        test: { name: 'renderer', include: ['src-renderer/**/*.test.ts'], environment: 'node' },
      },
    ],
  },
});
