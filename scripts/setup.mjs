#!/usr/bin/env node
// `npm run setup`: everything a fresh clone needs. 1) npm install without the downloads that need more than
// the npm registry (Electron binary, onnxruntime CUDA libraries), compiling better-sqlite3 against this Node's
// headers; 2) try the Electron binary separately (one line if it cannot be fetched); 3) Chromium and Mesa's
// lavapipe for the tests (apt as root on Debian, else one line each); 4) build out/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isWindows = process.platform === 'win32';
const npm = isWindows ? 'npm.cmd' : 'npm';

function systemPackages() {
  const chromium = process.env.MTS_CHROMIUM ?? '/usr/bin/chromium';
  const debian = process.platform === 'linux' && existsSync('/etc/debian_version');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const canApt = debian && root && process.env.MTS_SKIP_SYSTEM !== '1';
  if (existsSync(chromium)) {
    console.log(`[setup] Chromium for the e2e tests: ${chromium}`);
  } else if (canApt) {
    run('apt update', 'apt-get', ['update'], process.env);
    run('install Chromium (e2e tests)', 'apt-get', ['install', '-y', 'chromium'], {
      ...process.env,
      DEBIAN_FRONTEND: 'noninteractive',
    });
  } else {
    console.log(
      `[setup] Chromium: not found at ${chromium}; the e2e tests need it: \`sudo apt-get install -y chromium\` on Debian, or set MTS_CHROMIUM=/path/to/chromium.`,
    );
  }
  if (process.platform !== 'linux') return;
  if (canApt) {
    run(
      'software Vulkan driver (WebGPU tests)',
      'bash',
      [path.join(repo, 'scripts', 'install-software-gpu.sh')],
      process.env,
    );
  } else if (
    !existsSync('/usr/share/vulkan/icd.d') ||
    !readdirSync('/usr/share/vulkan/icd.d').some((f) => f.startsWith('lvp'))
  ) {
    console.log(
      '[setup] WebGPU tests: no Mesa lavapipe found; they skip without it. On Debian 12: `sudo bash scripts/install-software-gpu.sh`.',
    );
  }
}

function run(label, command, args, env) {
  console.log(`\n[setup] ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: repo, env, stdio: 'inherit', shell: isWindows });
  if (result.status !== 0) {
    console.error(
      `[setup] ${label} failed (exit ${result.status ?? result.signal}). Fix the error above and run \`npm run setup\` again.`,
    );
    process.exit(result.status ?? 1);
  }
}

// 1. Dependencies.
const installEnv = {
  ...process.env,
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  // Users opt into the CUDA libraries with ONNXRUNTIME_NODE_INSTALL=cuda12 (see README); default: skip.
  ONNXRUNTIME_NODE_INSTALL: process.env.ONNXRUNTIME_NODE_INSTALL ?? 'skip',
};
// Native addons (better-sqlite3) compile from source when no prebuilt binary can be fetched; point node-gyp
// at the headers installed with this Node instead of downloading them.
const prefix = path.dirname(path.dirname(process.execPath));
if (existsSync(path.join(prefix, 'include', 'node', 'node.h'))) {
  installEnv.npm_config_nodedir = prefix;
  console.log(`[setup] using Node headers from ${prefix}/include/node`);
}
run('install dependencies', npm, ['install', '--no-audit', '--no-fund'], installEnv);

// 2. Electron binary (optional: browser mode and every test except the Electron e2e spec work without it).
const electronInstall = path.join(repo, 'node_modules', 'electron', 'install.js');
if (process.env.MTS_SKIP_ELECTRON === '1') {
  console.log('[setup] Electron binary: skipped (MTS_SKIP_ELECTRON=1); use browser mode: npx mts serve');
} else {
  const electronEnv = { ...process.env };
  delete electronEnv.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const result = spawnSync(process.execPath, [electronInstall], {
    cwd: repo,
    env: electronEnv,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status === 0) {
    console.log('[setup] Electron binary: installed');
  } else {
    const firstLine = `${result.stderr ?? ''}\n${result.stdout ?? ''}`
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '');
    const reason = result.error?.message ?? firstLine ?? `exit ${result.status}`;
    console.log(
      `[setup] Electron binary: skipped (download failed: ${reason}); browser mode works without it (npx mts serve), retry with: node node_modules/electron/install.js`,
    );
  }
}

// 3. System packages the tests need: Chromium for the end-to-end tests, Mesa's software Vulkan driver for
// the WebGPU tests. Installed with apt when this is Debian and we are root; otherwise one line each says what
// to install (the tests that need them say so again and skip or stop).
systemPackages();

// 4. Build main, preload, renderer, CLI and server into out/.
run('build', npm, ['run', 'build'], process.env);
console.log(
  '\n[setup] done. Next: `npm test`, `npx mts serve` (browser) or `npm start` (desktop, needs the Electron binary).',
);
