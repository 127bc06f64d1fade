#!/usr/bin/env node
// `npm test`: every check, in order: typecheck, lint, unit tests (vitest projects `main` and `renderer`),
// end-to-end tests. Runs all of them even when one fails (so one run shows every problem), then exits
// non-zero if any failed.
// --bail stops at the first failure.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';
const npm = isWindows ? 'npm.cmd' : 'npm';
const bail = process.argv.includes('--bail');
const vitest = path.join(repo, 'node_modules/vitest/vitest.mjs');

const steps = [
  { name: 'typecheck', command: npm, args: ['run', 'typecheck', '--silent'] },
  { name: 'lint', command: npm, args: ['run', 'lint', '--silent'] },
  { name: 'unit', command: process.execPath, args: [vitest, 'run'] },
  { name: 'e2e', command: process.execPath, args: [path.join(repo, 'scripts/e2e.mjs')] },
];

const results = [];
for (const step of steps) {
  console.log(`\n=== ${step.name} ===`);
  const started = Date.now();
  const result = spawnSync(step.command, step.args, { cwd: repo, stdio: 'inherit', shell: isWindows });
  const ok = result.status === 0;
  results.push({ name: step.name, ok, seconds: (Date.now() - started) / 1000 });
  if (!ok && bail) break;
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(10)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok).map((r) => r.name);
if (failed.length > 0) {
  console.error(`\nnpm test failed: ${failed.join(', ')}.`);
  process.exit(1);
}
