// The Train/Runs screens' pure modules (formatting, curve alignment) are tested in Node; the root config covers
// src-main only, so run these with `npx vitest run --config src-renderer/screens/runs/vitest.config.ts`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { root: import.meta.dirname, include: ['*.test.ts'], environment: 'node' },
});
