// The Train/Runs/Playground/Export screens' pure modules (formatting, curve alignment, live series) are tested
// in Node; the root config covers src-main only, so run them with
// `npx vitest run --config src-renderer/screens/runs/vitest.config.ts`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: `${import.meta.dirname}/..`,
    include: ['{train,runs,playground,export}/*.test.ts'],
    environment: 'node',
  },
});
