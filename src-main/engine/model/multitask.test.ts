import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Graph } from '../onnx';
import { randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { buildMultiTaskForward, declareBatchInputs } from './multitask';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import { declareParamInputs } from './param-store';
import { float32Tensor, int64Tensor, paramFeeds, runOnce, TINY_DIMS } from './testing';

const spec: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 4, pooling: 'mean' };
const specs = [...encoderParamSpecs(TINY_DIMS), ...headParamSpecs(32, 3, 4)];
const store = randomTensors(specs, 5, 0.2);
const ids = [
  [2, 9, 10, 3],
  [2, 11, 3, 0],
  [2, 12, 13, 3],
];
const mask = [
  [1, 1, 1, 1],
  [1, 1, 1, 0],
  [1, 1, 1, 1],
];
const int32 = (rows: number[][]): ort.Tensor =>
  new ort.Tensor('int32', Int32Array.from(rows.flat()), [rows.length, rows[0]!.length]);

async function losses(
  classLabels: number[],
  nerLabels: number[][],
  weights: { classification?: number; ner?: number },
  masks?: { cls: number[]; ner: number[] },
): Promise<{ total: number; cls: number; ner: number }> {
  const g = new Graph('mt');
  const params = declareParamInputs(g, specs);
  const batch = declareBatchInputs(g, spec, {
    maskDtype: 'float32',
    withLabels: true,
    withTaskMasks: masks !== undefined,
  });
  const out = buildMultiTaskForward(g, spec, params, batch, { lossWeights: weights });
  g.output(out.loss!.total, 'total');
  g.output(out.loss!.classification!, 'cls');
  g.output(out.loss!.ner!, 'ner');
  const feeds: Record<string, ort.Tensor> = {
    ...paramFeeds(g, store),
    input_ids: int64Tensor(ids),
    attention_mask: float32Tensor(mask),
    class_labels: new ort.Tensor('int32', Int32Array.from(classLabels), [classLabels.length]),
    ner_labels: int32(nerLabels),
  };
  if (masks) {
    feeds['class_example_mask'] = new ort.Tensor('float32', Float32Array.from(masks.cls), [3]);
    feeds['ner_example_mask'] = new ort.Tensor('float32', Float32Array.from(masks.ner), [3]);
  }
  const r = await runOnce(g, feeds);
  const v = (n: string): number => (r[n]!.data as Float32Array)[0]!;
  return { total: v('total'), cls: v('cls'), ner: v('ner') };
}

describe('buildMultiTaskForward losses', () => {
  const ner = [
    [-100, 1, 2, -100],
    [-100, 3, -100, -100],
    [-100, 0, 1, -100],
  ];

  it('weights the task losses', async () => {
    const r = await losses([0, 2, 1], ner, { classification: 0.3, ner: 2 });
    expect(r.cls).toBeGreaterThan(0);
    expect(r.total).toBeCloseTo(0.3 * r.cls + 2 * r.ner, 5);
  });

  it('an example without labels for a task adds nothing to that task, by -100 or by task mask', async () => {
    // Example 1 has no class label and example 2 no NER labels.
    const byLabels = await losses([0, -100, 1], [ner[0]!, ner[1]!, [-100, -100, -100, -100]], {});
    const byMasks = await losses([0, 2, 1], ner, {}, { cls: [1, 0, 1], ner: [1, 1, 0] });
    expect(byMasks.cls).toBeCloseTo(byLabels.cls, 6);
    expect(byMasks.ner).toBeCloseTo(byLabels.ner, 6);
    const all = await losses([0, 2, 1], ner, {});
    expect(Math.abs(all.cls - byLabels.cls)).toBeGreaterThan(1e-4);
  });

  it('gives a zero, finite loss for a task with no labels in the batch', async () => {
    const r = await losses([-100, -100, -100], ner, {});
    expect(r.cls === 0).toBe(true);
    expect(Number.isFinite(r.total)).toBe(true);
    expect(r.total).toBeCloseTo(r.ner, 6);
  });

  it('ignores NER labels on padding even when they are not -100', async () => {
    const padded = ner.map((row) => [...row]);
    padded[1]![3] = 2; // position 3 of example 1 is padding
    const a = await losses([0, 2, 1], ner, {});
    const b = await losses([0, 2, 1], padded, {});
    expect(b.ner).toBeCloseTo(a.ner, 6);
  });
});
