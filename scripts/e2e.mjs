#!/usr/bin/env node
// `npm run test:e2e`: rebuild out/ (so the tests drive the current code), then run e2e/*.e2e.ts with
// Debian's chromium. Pass --no-build to reuse out/ as it is.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.MTS_CHROMIUM ?? '/usr/bin/chromium';
const isWindows = process.platform === 'win32';

if (!existsSync(chromium)) {
  console.error(
    `[e2e] No chromium at ${chromium}. Install it (Debian: apt-get install -y chromium) or set MTS_CHROMIUM to a Chromium binary.`,
  );
  process.exit(1);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit', shell: isWindows });
  return result.status ?? 1;
}

if (!process.argv.includes('--no-build')) {
  const status = run(isWindows ? 'npm.cmd' : 'npm', ['run', 'build', '--silent']);
  if (status !== 0) process.exit(status);
}
process.exit(
  run(process.execPath, [path.join(repo, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'e2e/vitest.config.ts']),
);
