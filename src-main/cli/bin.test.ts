import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyCheckpoint } from '../engine/infer/testing';

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

  // In-process tests keep vitest's event loop alive; only a real process shows an exit code that a worker
  // pool's unref'd workers can turn into 13 (unsettled await) after the output is written.
  it.skipIf(!existsSync(builtCli))(
    `predicts a file on the worker pool and exits 0${note}`,
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'mts-bin-predict-'));
      try {
        const run = writeTinyCheckpoint(dir);
        const texts = Array.from({ length: 80 }, (_, i) => `Report ${i}: John Smith met the team in Paris.`);
        const out = spawnSync(
          process.execPath,
          [path.join(repo, 'bin/mts.js'), 'predict', '--run', run, '--workers', '2', '--json'],
          { input: texts.join('\n'), encoding: 'utf8', timeout: 60_000 },
        );
        expect(out.stderr).toBe('');
        expect(out.status).toBe(0);
        expect((JSON.parse(out.stdout) as unknown[]).length).toBe(80);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    70_000,
  );
});
