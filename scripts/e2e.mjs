#!/usr/bin/env node
// `npm run test:e2e`: build the app into a private folder (so the tests drive the current code, and a build
// started by someone else in the same checkout cannot delete it mid-run), then run e2e/*.e2e.ts with
// Debian's chromium against that build. Pass --no-build to test out/ as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.MTS_CHROMIUM ?? '/usr/bin/chromium';
const isWindows = process.platform === 'win32';
const reuse = process.argv.includes('--no-build');

if (!existsSync(chromium)) {
  console.error(
    `[e2e] No chromium at ${chromium}. Install it (Debian: apt-get install -y chromium) or set MTS_CHROMIUM to a Chromium binary.`,
  );
  process.exit(1);
}

// Inside the repository, so the build resolves node_modules and package.json like out/ does.
const outDir = reuse ? 'out' : path.join('.tmp', `e2e-out-${process.pid}`);
const env = { ...process.env, MTS_OUT_DIR: outDir };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: repo, env, stdio: 'inherit', shell: isWindows });
  return result.status ?? 1;
}

let status = 0;
try {
  if (!reuse)
    status = run(process.execPath, [path.join(repo, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
  if (status === 0) {
    status = run(process.execPath, [
      path.join(repo, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'e2e/vitest.config.ts',
    ]);
  }
} finally {
  if (!reuse) rmSync(path.join(repo, outDir), { recursive: true, force: true });
}
process.exit(status);
