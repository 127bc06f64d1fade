import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { grad } from '../autodiff';
import { runCheck } from '../autodiff/check';
import { Graph, type Value, typedArrayFrom } from '../onnx';
import { randomTensors } from './init';
import { hasLabels, IGNORE_INDEX, maskedCrossEntropy, uncertaintyWeightedSum, weightedCrossEntropy } from './losses';
import { buildMultiTaskForward, declareBatchInputs, LOG_VAR_NAMES, type MultiTaskSpec } from './multitask';
import { encoderParamSpecs, headParamSpecs } from './param-names';
import { declareParamInputs } from './param-store';
import { float32Tensor, int64Tensor, paramFeeds, runOnce, TINY_DIMS } from './testing';
import { buildModelTrainingGraph, logVarSpecs } from './training-graph';

const LABELS = [
  [0, 3, IGNORE_INDEX, 1],
  [2, IGNORE_INDEX, 4, 0],
  [1, 1, 3, IGNORE_INDEX],
];
const WEIGHTS = [
  [1, 0.5, 1, 0],
  [0.25, 1, 0, 1],
  [1, 1, 0.75, 1],
];

function int32Constant(g: Graph, rows: readonly (readonly number[])[]): Value {
  return g.constant(
    { dtype: 'int32', dims: [rows.length, rows[0]!.length], data: typedArrayFrom('int32', rows.flat()) },
    'labels',
  );
}

describe('weightedCrossEntropy', () => {
  it('is the weighted mean of -log p(label) over labelled tokens (host reference)', async () => {
    const logits = [0, 1, 2].map((b) =>
      [0, 1, 2, 3].map((t) => [0, 1, 2, 3, 4].map((c) => Math.sin(b * 7 + t * 3 + c))),
    );
    const g = new Graph('wce');
    const x = g.input('logits', 'float32', [3, 4, 5]);
    const w = g.input('weights', 'float32', [3, 4]);
    g.output(weightedCrossEntropy(g, x, int32Constant(g, LABELS), w), 'loss');
    g.output(maskedCrossEntropy(g, x, int32Constant(g, LABELS)), 'plain');
    const feed = (weights: number[][]) => ({
      logits: new ort.Tensor('float32', Float32Array.from(logits.flat(2)), [3, 4, 5]),
      weights: float32Tensor(weights),
    });
    let num = 0;
    let den = 0;
    LABELS.forEach((row, b) =>
      row.forEach((label, t) => {
        if (label === IGNORE_INDEX) return;
        const z = logits[b]![t]!;
        const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
        num += WEIGHTS[b]![t]! * (lse - z[label]!);
        den += WEIGHTS[b]![t]!;
      }),
    );
    const out = await runOnce(g, feed(WEIGHTS));
    expect(Number(out['loss']!.data[0])).toBeCloseTo(num / den, 5);
    // All weights 1: the plain masked mean; all 0: 0, not NaN.
    const ones = await runOnce(g, feed(WEIGHTS.map((r) => r.map(() => 1))));
    expect(Number(ones['loss']!.data[0])).toBeCloseTo(Number(ones['plain']!.data[0]), 6);
    const zeros = await runOnce(g, feed(WEIGHTS.map((r) => r.map(() => 0))));
    expect(Number(zeros['loss']!.data[0])).toBe(0);
  });

  it('passes the finite-difference check on the logits (float64)', async () => {
    const r = await runCheck({
      rule: 'softmaxCrossEntropy',
      name: 'weighted token cross-entropy',
      inputs: {
        logits: { dims: [3, 4, 5] },
        weights: { dims: [3, 4], wrt: false, init: (rng) => rng.uniform(0, 1) },
      },
      build: (g, x) => weightedCrossEntropy(g, x['logits']!, int32Constant(g, LABELS), x['weights']!),
    });
    expect(r.relError).toBeLessThan(r.tolerance);
  });

  it("refuses weights whose shape is not the labels'", () => {
    const g = new Graph('bad');
    const x = g.input('logits', 'float32', [3, 4, 5]);
    expect(() => weightedCrossEntropy(g, x, int32Constant(g, LABELS), g.input('w', 'float32', [3]))).toThrow(
      /must have the labels' shape/,
    );
  });
});

describe('uncertaintyWeightedSum', () => {
  it('passes the finite-difference check on the log-variances and the task losses (float64)', async () => {
    const r = await runCheck({
      rule: 'Exp',
      name: 'uncertainty weighting',
      inputs: {
        sCls: { dims: [] },
        sNer: { dims: [] },
        lCls: { dims: [], init: (rng) => rng.uniform(0.1, 2) },
        lNer: { dims: [], init: (rng) => rng.uniform(0.1, 2) },
      },
      build: (g, x) =>
        uncertaintyWeightedSum(g, [
          { loss: x['lCls']!, weight: 1, logVar: x['sCls']!, present: g.scalar(1, 'float64') },
          { loss: x['lNer']!, weight: 0.5, logVar: x['sNer']!, present: g.scalar(1, 'float64') },
        ]),
    });
    expect(r.relError).toBeLessThan(r.tolerance);
  });

  it('refuses a sum where every task weight is 0', () => {
    const g = new Graph('zero');
    const s = g.input('s', 'float32', []);
    expect(() =>
      uncertaintyWeightedSum(g, [{ loss: s, weight: 0, logVar: s, present: g.scalar(1, 'float32') }]),
    ).toThrow(/nothing would train/);
  });
});

describe('hasLabels', () => {
  it('is 1 when some element is labelled after the row mask, else 0', async () => {
    const g = new Graph('has');
    const labels = g.input('labels', 'int32', [3]);
    const mask = g.input('mask', 'float32', [3]);
    g.output(hasLabels(g, labels, mask), 'has');
    const run = async (l: number[], m: number[]) =>
      Number(
        (
          await runOnce(g, {
            labels: new ort.Tensor('int32', Int32Array.from(l), [3]),
            mask: new ort.Tensor('float32', Float32Array.from(m), [3]),
          })
        )['has']!.data[0],
      );
    expect(await run([0, IGNORE_INDEX, 2], [1, 1, 1])).toBe(1);
    expect(await run([0, IGNORE_INDEX, 2], [0, 1, 0])).toBe(0);
    expect(await run([IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX], [1, 1, 1])).toBe(0);
  });
});

describe('uncertainty weighting in the multi-task model', () => {
  const spec: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 4, pooling: 'mean' };
  const specs = [...encoderParamSpecs(TINY_DIMS), ...headParamSpecs(32, 3, 4)];
  const store = randomTensors(specs, 5, 0.2);
  const ids = [
    [2, 9, 10, 3],
    [2, 11, 3, 0],
  ];
  const mask = [
    [1, 1, 1, 1],
    [1, 1, 1, 0],
  ];

  it('the graph gradient of each log-variance is present - weight * exp(-s) * L', async () => {
    const g = new Graph('mt-uncertainty');
    const params = new Map(declareParamInputs(g, specs));
    const sCls = g.input(LOG_VAR_NAMES.classification, 'float32', []);
    const sNer = g.input(LOG_VAR_NAMES.ner, 'float32', []);
    params.set(LOG_VAR_NAMES.classification, sCls);
    params.set(LOG_VAR_NAMES.ner, sNer);
    const batch = declareBatchInputs(g, spec, { maskDtype: 'float32', withLabels: true });
    const out = buildMultiTaskForward(g, spec, params, batch, {
      taskWeighting: 'uncertainty',
      lossWeights: { classification: 1, ner: 0.5 },
    });
    const grads = grad(g, out.loss!.total, [sCls, sNer]);
    g.output(out.loss!.total, 'total');
    g.output(out.loss!.classification!, 'cls');
    g.output(out.loss!.ner!, 'ner');
    g.output(grads.get(sCls.name)!, 'd_cls');
    g.output(grads.get(sNer.name)!, 'd_ner');
    const s = { cls: 0.3, ner: -0.7 };
    const run = async (nerLabels: number[][]) => {
      const r = await runOnce(g, {
        ...paramFeeds(g, store),
        [LOG_VAR_NAMES.classification]: new ort.Tensor('float32', Float32Array.of(s.cls), []),
        [LOG_VAR_NAMES.ner]: new ort.Tensor('float32', Float32Array.of(s.ner), []),
        input_ids: int64Tensor(ids),
        attention_mask: float32Tensor(mask),
        class_labels: new ort.Tensor('int32', Int32Array.of(1, 2), [2]),
        ner_labels: new ort.Tensor('int32', Int32Array.from(nerLabels.flat()), [2, 4]),
      });
      return (n: string): number => Number(r[n]!.data[0]);
    };
    const v = await run([
      [IGNORE_INDEX, 1, 2, IGNORE_INDEX],
      [IGNORE_INDEX, 3, IGNORE_INDEX, IGNORE_INDEX],
    ]);
    const [lc, ln] = [v('cls'), v('ner')];
    expect(v('total')).toBeCloseTo(Math.exp(-s.cls) * lc + s.cls + 0.5 * Math.exp(-s.ner) * ln + s.ner, 5);
    expect(v('d_cls')).toBeCloseTo(1 - Math.exp(-s.cls) * lc, 5);
    expect(v('d_ner')).toBeCloseTo(1 - 0.5 * Math.exp(-s.ner) * ln, 5);
    // A batch without NER labels neither trains NER nor pulls its log-variance.
    const none = await run([
      [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX],
      [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX],
    ]);
    expect(none('d_ner')).toBe(0);
    expect(none('total')).toBeCloseTo(Math.exp(-s.cls) * none('cls') + s.cls, 5);
  });

  it('the training graph trains one log-variance per weighted task, without decay, at its own step size', async () => {
    const base = { model: spec, lossWeights: { classification: 1, ner: 1 } };
    expect(logVarSpecs({ ...base, taskWeighting: 'fixed' })).toEqual([]);
    expect(logVarSpecs({ ...base, taskWeighting: 'uncertainty', logVarLrScale: 100 })).toEqual([
      { name: LOG_VAR_NAMES.classification, shape: [], decay: false, lrScale: 100 },
      { name: LOG_VAR_NAMES.ner, shape: [], decay: false, lrScale: 100 },
    ]);
    expect(
      logVarSpecs({ ...base, lossWeights: { classification: 1, ner: 0 }, taskWeighting: 'uncertainty' }).map(
        (p) => p.name,
      ),
    ).toEqual([LOG_VAR_NAMES.classification]);
    const tg = buildModelTrainingGraph({
      model: spec,
      freeze: { preset: 'heads-only' },
      clipNorm: 1,
      taskWeighting: 'uncertainty',
      logVarLrScale: 100,
      withNerWeights: true,
    });
    expect(tg.paramOrder).toContain(LOG_VAR_NAMES.classification);
    expect(tg.paramOrder).toContain(LOG_VAR_NAMES.ner);
    expect(tg.layout.batchInputs.map((b) => b.name)).toContain('ner_token_weights');
  });
});
