import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const builtCli = path.join(repo, 'out/main/cli.js');

describe('bin/mts.js', () => {
  it('tells the user to run setup when out/ is missing', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mts-bin-'));
    try {
      mkdirSync(path.join(dir, 'bin'));
      cpSync(path.join(repo, 'bin/mts.js'), path.join(dir, 'bin/mts.js'));
      const run = spawnSync(process.execPath, [path.join(dir, 'bin/mts.js'), '--help'], { encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/not built yet[\s\S]*npm run setup/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const note = existsSync(builtCli) ? '' : ' (skipped: out/ is not built; run `npm run build`)';
  it.skipIf(!existsSync(builtCli))(`runs the built CLI${note}`, () => {
    const version = execFileSync(process.execPath, [path.join(repo, 'bin/mts.js'), '--version'], { encoding: 'utf8' });
    expect(version.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
