/**
 * Three electron-vite targets. main also builds the CLI, the standalone server and the provider-probe child
 * as extra entries, so `bin/mts.js` and browser mode run from out/ without tsx. Dependencies stay external
 * (native addons like onnxruntime-node and better-sqlite3 must not be bundled).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/electron/index.ts'),
          cli: resolve(root, 'src-main/cli/index.ts'),
          server: resolve(root, 'src-main/server/main.ts'),
          'probe-child': resolve(root, 'src-main/services/system/probe-child.ts'),
          'train-worker': resolve(root, 'src-main/engine/train/train-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rolldownOptions: {
        input: { index: resolve(root, 'src-preload/index.ts') },
        // Sandboxed preloads cannot be ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
