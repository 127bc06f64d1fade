/** Paths the e2e tests share. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(REPO, 'e2e/screenshots');
/** The build under test: scripts/e2e.mjs builds into its own folder and passes it as MTS_OUT_DIR. */
export const OUT_DIR = path.resolve(REPO, process.env.MTS_OUT_DIR ?? 'out');
export const CHROMIUM = process.env.MTS_CHROMIUM ?? '/usr/bin/chromium';

/** The installed Electron binary, or null when the offline install skipped it (never triggers a download). */
export function electronBinary(): string | null {
  const dir = path.join(REPO, 'node_modules/electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}
