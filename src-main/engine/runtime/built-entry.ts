import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a separately built entry (a worker script, a child process) is for the module at `moduleUrl`: null
 * when that module runs from TS source (the caller starts its source instead), else `file` beside it or one
 * folder up in the built out/main (bundled chunks sit in a subfolder).
 */
export function builtEntry(moduleUrl: string, file: string): string | null {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.ts')) return null;
  for (const dir of [path.dirname(here), path.join(path.dirname(here), '..')]) {
    const candidate = path.join(dir, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${file} was not found next to ${here}; rebuild the app with \`npm run build\`.`);
}
