#!/usr/bin/env node
// `mts` launcher: runs the built CLI from out/main/cli.js (built by `npm run setup` / `npm run build`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
// MTS_OUT_DIR (relative to the repository) selects another build folder; tests use it to avoid racing builds.
const cliPath = path.resolve(repo, process.env.MTS_OUT_DIR ?? 'out', 'main', 'cli.js');
if (!existsSync(cliPath)) {
  console.error(
    `mts: the app is not built yet (${cliPath} is missing). Run \`npm run setup\` (fresh clone) or \`npm run build\` first.`,
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(cliPath).href);
process.exitCode = await main(process.argv.slice(2));
