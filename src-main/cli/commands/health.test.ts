import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli';
import { type CapturedEnv, capturedEnv } from '../testing';

const dir = mkdtempSync(join(tmpdir(), 'mts-health-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (): CapturedEnv => capturedEnv({ rendererDir: dir });

describe('mts health', () => {
  it('prints the JSON report with 1-based data rows', async () => {
    const data = join(dir, 'd.csv');
    writeFileSync(data, 'label,text\nx,Hello world\ny,something else entirely\nz,"hello, WORLD"\n');
    const e = env();
    expect(await runCli(['health', '--data', data, '--json'], e.value)).toBe(0);
    const r = JSON.parse(e.out.join('\n')) as Record<string, unknown>;
    for (const key of ['labelErrors', 'nearDuplicates', 'leakage', 'exactDuplicates', 'labelConflicts', 'skipped'])
      expect(r).toHaveProperty(key);
    expect(r['exactDuplicates']).toEqual([{ lines: [1, 3], labels: ['x', 'z'] }]);
  });

  it('prints a readable report and refuses a missing --data', async () => {
    const data = join(dir, 'd.csv');
    const e = env();
    expect(await runCli(['health', '--data', data], e.value)).toBe(0);
    expect(e.out.join('\n')).toContain('Exact duplicates (same text after normalising): 1 groups');
    expect(e.out.join('\n')).toContain('Not checked:');
    const bad = env();
    expect(await runCli(['health'], bad.value)).toBe(2);
    expect(bad.err.join('\n')).toContain('--data FILE is required');
  });
});
