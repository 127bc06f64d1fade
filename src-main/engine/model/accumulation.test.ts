import { describe, expect, it } from 'vitest';
import { AccumulatingSession, hostTensor, type HostTensor, TrainingSession } from '../runtime';
import { initHeads, randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { encoderParamSpecs } from './param-names';
import { TINY_DIMS } from './testing';
import { buildModelAccumulationGraphs, buildModelTrainingGraph } from './training-graph';

const model: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };
const T = 6;
// Four examples of one length; every token but [CLS]/[SEP] carries a NER label, so both halves have the same
// number of labelled tokens and examples: then mean(A + B) = (mean(A) + mean(B)) / 2 for both task losses.
const ids = [
  [2, 10, 11, 12, 13, 3],
  [2, 14, 15, 16, 17, 3],
  [2, 10, 16, 17, 18, 3],
  [2, 18, 19, 20, 21, 3],
];
const classLabels = [0, 2, 1, 1];
const nerLabels = ids.map((row) => row.map((id, t) => (t === 0 || t === T - 1 ? -100 : (id + t) % 5)));

function batch(rows: readonly number[]): Record<string, HostTensor> {
  const b = rows.length;
  return {
    input_ids: hostTensor(
      'int64',
      BigInt64Array.from(
        rows.flatMap((r) => ids[r]!),
        BigInt,
      ),
      [b, T],
    ),
    attention_mask: hostTensor('float32', new Float32Array(b * T).fill(1), [b, T]),
    class_labels: hostTensor('int32', Int32Array.from(rows.map((r) => classLabels[r]!)), [b]),
    ner_labels: hostTensor('int32', Int32Array.from(rows.flatMap((r) => nerLabels[r]!)), [b, T]),
  };
}

function initialParams(): Map<string, Float32Array> {
  const enc = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
  const heads = initHeads(TINY_DIMS.hiddenSize, 3, 5, 12, 0.3);
  return new Map([...enc, ...heads].map(([n, t]) => [n, t.data]));
}

const NO_DROPOUT = { hidden: 0, attention: 0, head: 0 };
// eps 1e-6, not torch's 1e-8: the attention key biases have an exactly zero gradient (softmax ignores a shift
// per row), so both runs see only float32 rounding noise (~1e-9) there, and with eps 1e-8 Adam's first step
// turns that noise into lr-sized moves of random sign (measured: 7e-5 apart), comparing noise, not accumulation.
const ADAMW = { beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01 };
const SCHEDULE = { kind: 'constant' as const, lr: 1e-3 };

describe('buildModelAccumulationGraphs', () => {
  it('k=2 on micro-batches A, B gives the parameters of one k=1 step on A+B (tiny BERT, both heads, within 1e-5)', async () => {
    const spec = { model, freeze: { preset: 'full' as const }, clipNorm: 1.0, dropout: NO_DROPOUT, adamw: ADAMW };
    const single = buildModelTrainingGraph(spec);
    const split = buildModelAccumulationGraphs(spec);
    expect(split.layout.batchInputs).toEqual(single.layout.batchInputs);
    expect(split.layout.extraOutputs).toEqual(single.layout.extraOutputs);
    const params = initialParams();
    const options = { adamw: ADAMW, schedule: SCHEDULE, params, seed: 1, threads: 1 };
    const one = await TrainingSession.create({ bytes: single.bytes, layout: single.layout, ...options });
    const two = await AccumulatingSession.create({
      gradientBytes: split.gradient.bytes,
      updateBytes: split.update.bytes,
      layout: split.layout,
      microBatches: 2,
      ...options,
    });
    try {
      const r1 = await one.trainStep(batch([0, 1, 2, 3]));
      const r2 = await two.trainStep([batch([0, 1]), batch([2, 3])]);
      expect(r2.loss).toBeCloseTo(r1.loss, 5);
      expect(r2.gradNorm).toBeCloseTo(r1.gradNorm, 4);
      const clsParts = r2.micro.map((m) => Number(m.outputs['loss.classification']!.data[0]));
      expect((clsParts[0]! + clsParts[1]!) / 2).toBeCloseTo(Number(r1.outputs['loss.classification']!.data[0]), 5);
      const a = one.getParameters();
      const b = two.getParameters();
      let worst = 0;
      let moved = 0;
      for (const [name, x] of a) {
        const y = b.get(name)!;
        const x0 = params.get(name)!;
        for (let i = 0; i < x.length; i++) {
          worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
          moved = Math.max(moved, Math.abs(x[i]! - x0[i]!));
        }
      }
      expect(moved).toBeGreaterThan(5e-4); // Adam's first step moves weights by about lr
      expect(worst).toBeLessThan(1e-5);
    } finally {
      await Promise.all([one.release(), two.release()]);
    }
  });
});
