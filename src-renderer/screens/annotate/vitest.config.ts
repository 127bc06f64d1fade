// The renderer's Annotate modules are tested in Node: pure ones (snapping, layout, keys) and the row cache,
// whose runes the Svelte plugin compiles. The root config covers src-main/, src-preload/ and scripts/ only.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte({ configFile: false })],
  test: { root: import.meta.dirname, include: ['*.test.ts'], environment: 'node' },
});
