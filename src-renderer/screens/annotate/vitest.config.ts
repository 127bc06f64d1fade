// The renderer's pure modules (snapping, layout, keys) are tested in Node; the root config covers src-main only.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { root: import.meta.dirname, include: ['*.test.ts'], environment: 'node' },
});
