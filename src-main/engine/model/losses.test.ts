import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../onnx';
import { IGNORE_INDEX, maskedCrossEntropy, weightedSum } from './losses';
import { ModelConfigError } from './errors';
import { runOnce } from './testing';

/** Host reference: mean over labelled rows of -log softmax(logits)[label]. */
function referenceLoss(logits: number[][], labels: number[], rowMask?: number[]): number {
  let sum = 0;
  let count = 0;
  logits.forEach((row, i) => {
    const m = rowMask?.[i] ?? 1;
    if (labels[i] === IGNORE_INDEX || m === 0) return;
    const mx = Math.max(...row);
    const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
    sum += (lse - row[labels[i]!]!) * m;
    count += m;
  });
  return count === 0 ? 0 : sum / count;
}

async function lossOf(
  logits: number[][],
  labels: number[],
  dtype: 'int32' | 'int64',
  rowMask?: number[],
): Promise<number> {
  const g = new Graph('ce');
  const x = g.input('logits', 'float32', ['n', logits[0]!.length]);
  const y = g.input('labels', dtype, ['n']);
  const m = rowMask ? g.input('mask', 'float32', ['n']) : undefined;
  g.output(maskedCrossEntropy(g, x, y, m), 'loss');
  const feeds: Record<string, ort.Tensor> = {
    logits: new ort.Tensor('float32', Float32Array.from(logits.flat()), [logits.length, logits[0]!.length]),
    labels:
      dtype === 'int32'
        ? new ort.Tensor('int32', Int32Array.from(labels), [labels.length])
        : new ort.Tensor('int64', BigInt64Array.from(labels, BigInt), [labels.length]),
  };
  if (rowMask) feeds['mask'] = new ort.Tensor('float32', Float32Array.from(rowMask), [rowMask.length]);
  const out = await runOnce(g, feeds);
  return (out['loss']!.data as Float32Array)[0]!;
}

describe('maskedCrossEntropy', () => {
  const logits = [
    [2.0, -1.0, 0.5],
    [0.1, 0.2, 0.3],
    [30, -20, 5], // large spread: needs the max shift
    [-1, 4, 0],
  ];

  it('averages over labelled rows only, with int32 or int64 labels', async () => {
    const labels = [0, IGNORE_INDEX, 2, 1];
    for (const dtype of ['int32', 'int64'] as const) {
      expect(await lossOf(logits, labels, dtype)).toBeCloseTo(referenceLoss(logits, labels), 5);
    }
  });

  it('applies a row mask', async () => {
    const labels = [0, 1, 2, 1];
    const mask = [1, 0, 1, 0];
    expect(await lossOf(logits, labels, 'int32', mask)).toBeCloseTo(referenceLoss(logits, labels, mask), 5);
  });

  it('gives 0, not NaN, when no row has a label', async () => {
    const none = await lossOf(logits, [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX], 'int32');
    expect(none === 0).toBe(true); // NaN fails; -0 passes
    expect(await lossOf(logits, [0, 1, 2, 1], 'int32', [0, 0, 0, 0])).toBeCloseTo(0, 10);
  });

  it('refuses labels with the wrong rank or dtype, and all-zero task weights', () => {
    const g = new Graph('ce');
    const x = g.input('logits', 'float32', ['n', 3]);
    expect(() => maskedCrossEntropy(g, x, g.input('l2', 'int32', ['n', 3]))).toThrow(ModelConfigError);
    expect(() => maskedCrossEntropy(g, x, g.input('lf', 'float32', ['n']))).toThrow(/int32 or int64/);
    expect(() => weightedSum(g, [{ loss: g.scalar(1, 'float32'), weight: 0 }])).toThrow(/nothing would train/);
  });
});
