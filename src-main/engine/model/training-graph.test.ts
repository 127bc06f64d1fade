import { describe, expect, it } from 'vitest';
import { hostTensor, TrainingSession } from '../runtime';
import type { HostTensor } from '../runtime';
import { FreezePresetError } from './errors';
import type { FreezeConfig } from './freeze';
import { initEncoder, initHeads, randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { encoderParamSpecs } from './param-names';
import { buildModelTrainingGraph, DEFAULT_DROPOUT } from './training-graph';
import { TINY_DIMS } from './testing';

const model: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };
const B = 4;
const T = 6;
const lengths = [6, 4, 5, 3];
const ids = [
  [2, 10, 11, 12, 13, 3],
  [2, 14, 15, 3, 0, 0],
  [2, 10, 16, 17, 3, 0],
  [2, 18, 3, 0, 0, 0],
];
// Example 3 has no class label and example 1 no NER labels: they must add nothing to that task's loss.
const classLabels = [0, 2, 1, -100];
const nerLabels = ids.map((row, b) =>
  row.map((id, t) => (b === 1 || t === 0 || t >= lengths[b]! - 1 ? -100 : (id + t) % 5)),
);

function batch(): Record<string, HostTensor> {
  return {
    input_ids: hostTensor('int64', BigInt64Array.from(ids.flat(), BigInt), [B, T]),
    attention_mask: hostTensor(
      'float32',
      Float32Array.from(ids.flatMap((r, b) => r.map((_, t) => (t < lengths[b]! ? 1 : 0)))),
      [B, T],
    ),
    class_labels: hostTensor('int32', Int32Array.from(classLabels), [B]),
    ner_labels: hostTensor('int32', Int32Array.from(nerLabels.flat()), [B, T]),
  };
}

function initialParams(headStd: number): Map<string, Float32Array> {
  // A random (not HF-init) encoder so that heads-only training sees varied features.
  const enc = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
  const heads = initHeads(TINY_DIMS.hiddenSize, 3, 5, 12, headStd);
  return new Map([...enc, ...heads].map(([n, t]) => [n, t.data]));
}

const NO_DROPOUT = { hidden: 0, attention: 0, head: 0 };

async function train(freeze: FreezeConfig, steps: number, lr: number, headStd: number) {
  const built = buildModelTrainingGraph({ model, freeze, clipNorm: 1.0, dropout: NO_DROPOUT });
  const adamw = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
  const params = initialParams(headStd);
  const session = await TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw,
    schedule: { kind: 'constant', lr },
    params,
    seed: 1,
    threads: 1,
  });
  try {
    const first = await session.trainStep(batch());
    let last = first;
    for (let i = 1; i < steps; i++) last = await session.trainStep(batch());
    return { built, first, last, before: params, after: session.getParameters() };
  } finally {
    await session.release();
  }
}

const part = (r: { outputs: Readonly<Record<string, HostTensor>> }, name: string): number =>
  Number(r.outputs[name]!.data[0]);

describe('buildModelTrainingGraph', () => {
  // A frozen head stands for an already trained one: HF's 0.02 init would leave its logits near 0 for good.
  const cases: { freeze: FreezeConfig; lr: number; steps: number; headStd: number }[] = [
    { freeze: { preset: 'full' }, lr: 3e-3, steps: 80, headStd: 0.02 },
    { freeze: { preset: 'heads-only' }, lr: 5e-2, steps: 300, headStd: 0.02 },
    { freeze: { preset: 'freeze-classifier' }, lr: 3e-3, steps: 120, headStd: 0.5 },
    { freeze: { preset: 'freeze-ner' }, lr: 3e-3, steps: 120, headStd: 0.5 },
    { freeze: { preset: 'full', freezeEmbeddings: true, freezeBottomLayers: 1 }, lr: 3e-3, steps: 80, headStd: 0.02 },
  ];

  for (const { freeze, lr, steps, headStd } of cases) {
    it(`overfits a fixed batch (both losses near 0) and leaves frozen parameters untouched: ${JSON.stringify(freeze)}`, async () => {
      const { built, first, last, before, after } = await train(freeze, steps, lr, headStd);
      expect(part(first, 'loss.classification')).toBeGreaterThan(0.5);
      expect(part(first, 'loss.ner')).toBeGreaterThan(0.5);
      expect(part(last, 'loss.classification')).toBeLessThan(0.05);
      expect(part(last, 'loss.ner')).toBeLessThan(0.05);
      expect(last.loss).toBeCloseTo(part(last, 'loss.classification') + part(last, 'loss.ner'), 5);
      for (const p of built.partition.frozen) expect(after.get(p.name)).toEqual(before.get(p.name));
      for (const p of built.partition.trainable) expect(after.get(p.name)).not.toEqual(before.get(p.name));
      // No backward node for a frozen parameter, and none below the lowest trainable encoder part.
      for (const p of built.partition.frozen) expect(built.graph.value(`grad/${p.name}`)).toBeUndefined();
      const backward = built.graph.nodes.filter((n) => n.name.startsWith('grad/'));
      if (freeze.preset === 'heads-only') expect(backward.filter((n) => n.name.startsWith('grad/enc.'))).toEqual([]);
      if (freeze.freezeEmbeddings) {
        expect(backward.filter((n) => n.name.startsWith('grad/enc.emb') || n.name.startsWith('grad/enc.l0.'))).toEqual(
          [],
        );
        expect(built.graph.nodes.some((n) => n.opType === 'ScatterND')).toBe(false);
      }
    });
  }

  it('heads-only builds a much smaller graph than full', () => {
    const full = buildModelTrainingGraph({ model, freeze: { preset: 'full' }, clipNorm: 1 });
    const heads = buildModelTrainingGraph({ model, freeze: { preset: 'heads-only' }, clipNorm: 1 });
    expect(heads.graph.nodes.length).toBeLessThan(full.graph.nodes.length / 2);
    expect(heads.layout.trainable.map((p) => p.name)).toEqual([
      'heads.classification.weight',
      'heads.classification.bias',
      'heads.ner.weight',
      'heads.ner.bias',
    ]);
  });

  it('adds a dropout site per hidden/attention/head position with the configured rates', () => {
    const built = buildModelTrainingGraph({ model, freeze: { preset: 'full' }, clipNorm: 1, dropout: DEFAULT_DROPOUT });
    const sites = built.layout.dropout.map((s) => s.site);
    expect(sites).toEqual([
      'emb',
      'l0.attn_probs',
      'l0.attn_out',
      'l0.ffn_out',
      'l1.attn_probs',
      'l1.attn_out',
      'l1.ffn_out',
      'head.cls',
      'head.ner',
    ]);
    expect(built.layout.dropout.every((s) => s.rate === 0.1)).toBe(true);
  });

  it('freezes the head of a task whose loss weight is 0 instead of failing in grad()', () => {
    const built = buildModelTrainingGraph({ model, freeze: { preset: 'full' }, clipNorm: 1, lossWeights: { ner: 0 } });
    expect(built.partition.frozen.map((p) => p.name)).toEqual(['heads.ner.weight', 'heads.ner.bias']);
    expect(built.graph.value('grad/heads.ner.weight')).toBeUndefined();
    expect(() =>
      buildModelTrainingGraph({
        model,
        freeze: { preset: 'freeze-classifier' },
        clipNorm: 1,
        lossWeights: { ner: 0 },
        dropout: NO_DROPOUT,
      }),
    ).not.toThrow();
    expect(() =>
      buildModelTrainingGraph({
        model: { ...model, numClasses: 0 },
        freeze: { preset: 'heads-only' },
        clipNorm: 1,
        lossWeights: { ner: 0 },
      }),
    ).toThrow(FreezePresetError);
  });

  it('refuses the frozen preset with an actionable error', () => {
    expect(() => buildModelTrainingGraph({ model, freeze: { preset: 'frozen' }, clipNorm: 1 })).toThrow(
      FreezePresetError,
    );
    expect(() => buildModelTrainingGraph({ model, freeze: { preset: 'frozen' }, clipNorm: 1 })).toThrow(/heads-only/);
  });

  it('initialises heads like HF: seeded normal(0, 0.02) weights, zero biases', () => {
    const a = initHeads(32, 3, 5, 7);
    const b = initHeads(32, 3, 5, 7);
    const w = a.get('heads.classification.weight')!.data;
    expect(w).toEqual(b.get('heads.classification.weight')!.data);
    expect(a.get('heads.ner.bias')!.data.every((v) => v === 0)).toBe(true);
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.005);
    expect(std).toBeGreaterThan(0.015);
    expect(std).toBeLessThan(0.025);
    expect(
      initEncoder(TINY_DIMS, 1)
        .get('embeddings.LayerNorm.weight')!
        .data.every((v) => v === 1),
    ).toBe(true);
  });
});
