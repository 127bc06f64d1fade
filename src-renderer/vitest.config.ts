// Unit tests of the renderer's modules (pure helpers and *.svelte.ts state classes, whose runes the Svelte
// plugin compiles), run in Node by `npm test`. The root vitest.config.ts covers src-main/, src-preload/ and
// scripts/ only. Run alone: npx vitest run --config src-renderer/vitest.config.ts
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte({ configFile: false })],
  test: { root: import.meta.dirname, include: ['**/*.test.ts'], environment: 'node' },
});
