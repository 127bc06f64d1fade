#!/usr/bin/env node
// `npm run setup:ref`: the Python environment of the reference scripts (scripts/ref/*.py) and of the
// benchmarks' PyTorch baselines: .venv with the pinned scripts/ref/requirements.txt. Optional: `npm test`
// passes without it (the tests that compare with PyTorch skip and say so).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '..');
const venv = path.join(repo, '.venv');
const python = process.env.PYTHON ?? 'python3';
const venvPython = path.join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');

function run(label, command, args) {
  console.log(`\n[setup:ref] ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `[setup:ref] ${label} failed (exit ${result.status ?? result.signal}); fix the error above and run again.`,
    );
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(venvPython)) run('create .venv', python, ['-m', 'venv', venv]);
run('install the pinned reference packages', venvPython, [
  '-m',
  'pip',
  'install',
  '-r',
  path.join(repo, 'scripts/ref/requirements.txt'),
]);
console.log('\n[setup:ref] done: the benchmarks and reference scripts use .venv/bin/python.');
