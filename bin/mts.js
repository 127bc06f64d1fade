#!/usr/bin/env node
// `mts` launcher: runs the built CLI from out/main/cli.js (built by `npm run setup` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cliPath = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cliPath)) {
  console.error(
    `mts: the app is not built yet (${cliPath} is missing). Run \`npm run setup\` (fresh clone) or \`npm run build\` first.`,
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(cliPath).href);
process.exitCode = await main(process.argv.slice(2));
