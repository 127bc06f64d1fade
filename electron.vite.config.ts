/**
 * Three electron-vite targets. main also builds the CLI, the standalone server, the provider-probe and placement children
 * as extra entries, so `bin/mts.js` and browser mode run from out/ without tsx. Dependencies stay external
 * (native addons like onnxruntime-node and better-sqlite3 must not be bundled).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

const root = import.meta.dirname;
// MTS_OUT_DIR lets a test run build into its own folder (scripts/e2e.mjs), so parallel builds cannot race.
const out = resolve(root, process.env.MTS_OUT_DIR ?? 'out');

export default defineConfig({
  main: {
    build: {
      outDir: resolve(out, 'main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'src-main/electron/index.ts'),
          cli: resolve(root, 'src-main/cli/index.ts'),
          server: resolve(root, 'src-main/server/main.ts'),
          'probe-child': resolve(root, 'src-main/services/system/probe-child.ts'),
          'train-worker': resolve(root, 'src-main/engine/trainer/train-worker.ts'),
          'forward-worker': resolve(root, 'src-main/engine/infer/forward-worker.ts'),
          'placement-child': resolve(root, 'src-main/engine/runtime/placement-child.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(out, 'preload'),
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
      outDir: resolve(out, 'renderer'),
      rolldownOptions: { input: { index: resolve(root, 'src-renderer/index.html') } },
    },
  },
});
