import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTinyCheckpoint } from '../../engine/infer/testing';
import { runCli } from '../run-cli';
import { capturedEnv } from '../testing';

async function predict(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { value, out, err } = capturedEnv();
  const code = await runCli(['predict', ...args], value);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('mts predict', () => {
  it('--workers 2 predicts what one session predicts; --workers 0 is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mts-cli-predict-'));
    const run = writeTinyCheckpoint(dir, { maxPositions: 96, seed: 5, headSeed: 7 });
    const texts = Array.from({ length: 70 }, (_, i) => `John Smith met Bob ${i} in Paris on Monday.`);
    const labels = (json: string): unknown[] =>
      (JSON.parse(json) as { label: string; entities: { start: number; end: number }[] }[]).map((r) => [
        r.label,
        r.entities.map((e) => [e.start, e.end]),
      ]);
    const one = await predict(['--run', run, '--json', '--workers', '1', ...texts]);
    const two = await predict(['--run', run, '--json', '--workers', '2', ...texts]);
    expect([one.code, two.code]).toEqual([0, 0]);
    expect(labels(two.out)).toEqual(labels(one.out));
    expect(labels(one.out)).toHaveLength(70);
    const bad = await predict(['--run', run, '--workers', '0', 'a text']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--workers: Too small: expected number to be >=1 \(got '0'\)/);
  }, 60_000);
});
