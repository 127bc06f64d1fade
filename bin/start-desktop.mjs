#!/usr/bin/env node
// `npm start`: the desktop app via electron-vite preview, with a clear message instead of electron-vite's
// "Electron uninstall" when the Electron binary was never downloaded (offline setup skips it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(repo, 'node_modules', 'electron');
const pathFile = path.join(electronDir, 'path.txt');
const binary = existsSync(pathFile) ? path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;

if (binary === null || !existsSync(binary)) {
  console.error(
    'The Electron binary is not installed (`npm run setup` skips it when it cannot be downloaded).\n' +
      '  With internet access: node node_modules/electron/install.js, then npm start again.\n' +
      '  Without it, the same app runs in your browser: npx mts serve',
  );
  process.exit(1);
}
const cli = path.join(repo, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const result = spawnSync(process.execPath, [cli, 'preview', ...process.argv.slice(2)], { cwd: repo, stdio: 'inherit' });
process.exit(result.status ?? 1);
