import { describe, expect, it } from 'vitest';
import { createSession, hostTensor, type HostTensor, TrainingSession } from '../runtime';
import { gradAccNames } from '../step-graph';
import { initHeads, randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { EMBEDDING_NAMES, encoderParamSpecs } from './param-names';
import { TINY_DIMS } from './testing';
import { buildModelAccumulationGraphs, buildModelTrainingGraph, type ModelTrainingSpec } from './training-graph';

// The DirectML training graph (DESIGN.md): one-hot embedding gradients, the word-embedding table frozen.
const model: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };
const NO_DROPOUT = { hidden: 0, attention: 0, head: 0 };
const BASE: ModelTrainingSpec = {
  model,
  freeze: { preset: 'full' },
  clipNorm: 1,
  dropout: NO_DROPOUT,
  withTokenTypes: true,
};
const DML: ModelTrainingSpec = { ...BASE, embeddingGradient: 'one-hot', freezeWordEmbeddings: true };
const B = 4;
const T = 6;
const lengths = [6, 4, 5, 3];
const ids = [
  [2, 10, 11, 12, 13, 3],
  [2, 14, 15, 3, 0, 0],
  [2, 10, 16, 17, 3, 0],
  [2, 18, 3, 0, 0, 0],
];
const types = [
  [0, 0, 0, 1, 1, 1],
  [0, 0, 1, 1, 0, 0],
  [0, 0, 0, 0, 0, 0],
  [0, 1, 1, 0, 0, 0],
];
const classLabels = [0, 2, 1, -100];
const nerLabels = ids.map((row, b) => row.map((id, t) => (t === 0 || t >= lengths[b]! - 1 ? -100 : (id + t) % 5)));

function batch(): Record<string, HostTensor> {
  return {
    input_ids: hostTensor('int64', BigInt64Array.from(ids.flat(), BigInt), [B, T]),
    token_type_ids: hostTensor('int64', BigInt64Array.from(types.flat(), BigInt), [B, T]),
    attention_mask: hostTensor(
      'float32',
      Float32Array.from(ids.flatMap((r, b) => r.map((_, t) => (t < lengths[b]! ? 1 : 0)))),
      [B, T],
    ),
    class_labels: hostTensor('int32', Int32Array.from(classLabels), [B]),
    ner_labels: hostTensor('int32', Int32Array.from(nerLabels.flat()), [B, T]),
  };
}

function initialParams(): Map<string, Float32Array> {
  const enc = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
  const heads = initHeads(TINY_DIMS.hiddenSize, 3, 5, 12, 0.3);
  return new Map([...enc, ...heads].map(([n, t]) => [n, t.data]));
}

const part = (r: { outputs: Readonly<Record<string, HostTensor>> }, name: string): number =>
  Number(r.outputs[name]!.data[0]);

describe('the DirectML training graph (one-hot embedding gradients, word table frozen)', () => {
  it('has no ScatterND and no word-embedding gradient, single and accumulated', () => {
    const single = buildModelTrainingGraph(DML);
    const split = buildModelAccumulationGraphs(DML);
    expect(buildModelTrainingGraph(BASE).graph.nodes.some((n) => n.opType === 'ScatterND')).toBe(true);
    for (const g of [single.graph, split.gradient.graph]) {
      expect(g.nodes.filter((n) => n.opType === 'ScatterND')).toEqual([]);
      expect(g.value(`grad/${EMBEDDING_NAMES.word}`)).toBeUndefined();
      expect(g.value(`grad/${EMBEDDING_NAMES.position}`)).toBeDefined();
      expect(g.value(`grad/${EMBEDDING_NAMES.tokenType}`)).toBeDefined();
    }
    expect(single.partition.frozen.map((p) => p.name)).toEqual([EMBEDDING_NAMES.word]);
    expect(split.partition.frozen.map((p) => p.name)).toEqual([EMBEDDING_NAMES.word]);
    const full = buildModelTrainingGraph(BASE).partition;
    expect(full.trainableCount - single.partition.trainableCount).toBe(TINY_DIMS.vocabSize * TINY_DIMS.hiddenSize);
  });

  it('trains the tiny BERT on the CPU EP: both losses fall, the word table stays as it was', async () => {
    const built = buildModelTrainingGraph(DML);
    const params = initialParams();
    const session = await TrainingSession.create({
      bytes: built.bytes,
      layout: built.layout,
      adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
      schedule: { kind: 'constant', lr: 3e-3 },
      params,
      seed: 1,
      threads: 1,
    });
    try {
      const losses: number[] = [];
      const first = await session.trainStep(batch());
      let last = first;
      losses.push(first.loss);
      for (let i = 1; i < 40; i++) {
        last = await session.trainStep(batch());
        losses.push(last.loss);
      }
      expect(last.loss).toBeLessThan(0.25 * first.loss);
      expect(part(last, 'loss.classification')).toBeLessThan(part(first, 'loss.classification'));
      expect(part(last, 'loss.ner')).toBeLessThan(part(first, 'loss.ner'));
      // Mostly downhill: every 10-step window ends below where it started.
      for (let i = 10; i < losses.length; i += 10) expect(losses[i]!).toBeLessThan(losses[i - 10]!);
      const after = session.getParameters();
      expect(after.get(EMBEDDING_NAMES.word)).toEqual(params.get(EMBEDDING_NAMES.word));
      expect(after.get(EMBEDDING_NAMES.position)).not.toEqual(params.get(EMBEDDING_NAMES.position));
      expect(after.get(EMBEDDING_NAMES.tokenType)).not.toEqual(params.get(EMBEDDING_NAMES.tokenType));
    } finally {
      await session.release();
    }
  });

  it("gives the scatter graph's position, token-type and every other gradient on the same batch", async () => {
    // The accumulation gradient graph outputs acc + scale * dLoss/dp: with acc 0 and scale 1, the gradient.
    const gradients = async (spec: ModelTrainingSpec): Promise<Map<string, Float32Array>> => {
      const split = buildModelAccumulationGraphs(spec);
      const feeds: Record<string, HostTensor> = {
        ...batch(),
        [split.layout.scaleInput]: hostTensor('float32', Float32Array.of(1), []),
      };
      const params = initialParams();
      for (const p of [...split.layout.trainable, ...split.layout.frozen]) {
        feeds[p.name] = hostTensor('float32', params.get(p.name)!, p.shape);
      }
      for (const p of split.layout.trainable) {
        const n = p.shape.reduce((a, b) => a * b, 1);
        feeds[gradAccNames(p.name).acc] = hostTensor('float32', new Float32Array(n), p.shape);
      }
      const session = await createSession(split.gradient.bytes, { threads: 1 });
      try {
        const out = await session.run(feeds);
        return new Map(
          split.layout.trainable.map((p) => [p.name, out[gradAccNames(p.name).newAcc]!.data as Float32Array]),
        );
      } finally {
        await session.release();
      }
    };
    const scatter = await gradients(BASE);
    const oneHot = await gradients(DML);
    expect([...scatter.keys()].filter((n) => !oneHot.has(n))).toEqual([EMBEDDING_NAMES.word]);
    let worst = 0;
    for (const [name, g] of oneHot) {
      const want = scatter.get(name)!;
      for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - want[i]!));
    }
    expect(worst).toBeLessThan(1e-5);
    // Rows of positions >= T and of unused ids get nothing; used rows get real gradients.
    const position = oneHot.get(EMBEDDING_NAMES.position)!;
    const h = TINY_DIMS.hiddenSize;
    expect(position.slice(T * h).every((v) => v === 0)).toBe(true);
    expect(Math.max(...position.slice(0, T * h).map(Math.abs))).toBeGreaterThan(1e-3);
    expect(Math.max(...oneHot.get(EMBEDDING_NAMES.tokenType)!.slice(h).map(Math.abs))).toBeGreaterThan(1e-3);
  });
});
