// `mts predict --int8` and `mts export --int8` on a tiny checkpoint: the flags reach the engine.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyCheckpoint } from '../../engine/infer/testing';
import { runCli } from '../run-cli';
import { type CapturedEnv, capturedEnv } from '../testing';

const root = mkdtempSync(join(tmpdir(), 'mts-cli-int8-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ckpt = writeTinyCheckpoint(root, { maxLength: 48 });

const env = (): CapturedEnv => capturedEnv({ rendererDir: root });

type Printed = { label: string; classProbs: { label: string; prob: number }[] }[];

describe('--int8', () => {
  it('mts predict --int8 predicts with the int8 graph (close to, but not the same as, fp32)', async () => {
    const text = 'John Smith flew to Paris on Monday.';
    const fp32 = env();
    const int8 = env();
    expect(await runCli(['predict', '--run', ckpt, '--json', text], fp32.value)).toBe(0);
    expect(await runCli(['predict', '--run', ckpt, '--json', '--int8', text], int8.value)).toBe(0);
    const a = (JSON.parse(fp32.out.join('\n')) as Printed)[0]!;
    const b = (JSON.parse(int8.out.join('\n')) as Printed)[0]!;
    const diffs = a.classProbs.map((c, i) => Math.abs(c.prob - b.classProbs[i]!.prob));
    expect(Math.max(...diffs)).toBeLessThan(0.05);
    expect(Math.max(...diffs)).toBeGreaterThan(0);
  });

  it('mts export --int8 writes the quantized graphs and reports their drift', async () => {
    const e = env();
    const out = join(root, 'bundle');
    expect(await runCli(['export', '--run', ckpt, '--out', out, '--int8'], e.value)).toBe(0);
    for (const f of [
      'model.onnx',
      'model.int8.onnx',
      'classification/onnx/model_quantized.onnx',
      'ner/onnx/model_quantized.onnx',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(e.out.join('\n')).toMatch(
      /int8 vs fp32 on \d+ sample texts: same class \d+\.\d%, same tag \d+\.\d% of tokens/,
    );
  });
});
