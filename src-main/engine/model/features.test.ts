import { describe, expect, it } from 'vitest';
import { createSession, hostTensor, type HostTensor, TrainingSession } from '../runtime';
import { FreezePresetError } from './errors';
import { buildFeatureGraph, type FeatureDType } from './features';
import { initHeads, randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { encoderParamSpecs } from './param-names';
import { TINY_DIMS } from './testing';
import { buildModelEvalGraph, buildModelTrainingGraph, encoderFrozen, trainingPartition } from './training-graph';

const model: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };
const H = TINY_DIMS.hiddenSize;
const lengths = [6, 4, 5, 3];
const T = 6;
const ids = [
  [2, 10, 11, 12, 13, 3],
  [2, 14, 15, 3, 0, 0],
  [2, 10, 16, 17, 3, 0],
  [2, 18, 3, 0, 0, 0],
];
const mask = Float32Array.from(ids.flatMap((r, b) => r.map((_, t) => (t < lengths[b]! ? 1 : 0))));
const labels = {
  class_labels: hostTensor('int32', Int32Array.of(0, 2, 1, -100), [4]),
  ner_labels: hostTensor(
    'int32',
    Int32Array.from(ids.flatMap((row, b) => row.map((id, t) => (b === 1 || t >= lengths[b]! ? -100 : (id + t) % 5)))),
    [4, T],
  ),
};
const encoder = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
const heads = (): Map<string, Float32Array> => new Map([...initHeads(H, 3, 5, 12, 0.2)].map(([n, t]) => [n, t.data]));

/** The encoder's last hidden states for the batch, padding rows zeroed as the feature cache stores them. */
async function features(dtype: FeatureDType): Promise<HostTensor> {
  const s = await createSession(buildFeatureGraph(TINY_DIMS, encoder, { dtype }).bytes, { threads: 1 });
  const out = (
    await s.run({
      input_ids: hostTensor('int64', BigInt64Array.from(ids.flat(), BigInt), [4, T]),
      attention_mask: hostTensor(
        'int64',
        BigInt64Array.from(mask, (m) => BigInt(m)),
        [4, T],
      ),
    })
  )['features']!;
  await s.release();
  const data = out.data.slice() as Float32Array | Uint16Array;
  for (let i = 0; i < 4 * T; i++) if (mask[i] === 0) data.fill(0, i * H, (i + 1) * H);
  return dtype === 'float16'
    ? hostTensor('float16', data as Uint16Array, [4, T, H])
    : hostTensor('float32', data as Float32Array, [4, T, H]);
}

/** Losses of `steps` heads-only steps on the ids graph, or on the features graph fed `feats`. */
async function losses(
  steps: number,
  feats?: HostTensor,
): Promise<{ loss: number[]; params: Map<string, Float32Array> }> {
  const dropout = { hidden: 0, attention: 0, head: 0 };
  const built = buildModelTrainingGraph({
    model,
    freeze: { preset: 'heads-only' },
    clipNorm: 1.0,
    dropout,
    ...(feats && { input: 'features' as const, featureDType: feats.dtype as FeatureDType }),
  });
  const params = feats ? heads() : new Map([...[...encoder].map(([n, t]) => [n, t.data] as const), ...heads()]);
  const session = await TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 5e-2 },
    params,
    seed: 1,
    threads: 1,
  });
  const batch: Record<string, HostTensor> = {
    ...(feats
      ? { features: feats }
      : { input_ids: hostTensor('int64', BigInt64Array.from(ids.flat(), BigInt), [4, T]) }),
    attention_mask: hostTensor('float32', mask, [4, T]),
    ...labels,
  };
  const loss: number[] = [];
  for (let i = 0; i < steps; i++) loss.push((await session.trainStep(batch)).loss);
  const after = new Map(
    [...session.getParameters()].filter(([n]) => n.startsWith('heads.')) as [string, Float32Array][],
  );
  await session.release();
  return { loss, params: after };
}

function maxRelDiff(a: readonly number[], b: readonly number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.max(1e-6, Math.abs(b[i]!))));
}

describe('heads trained on cached encoder features', () => {
  it('give the losses and heads of heads-only training on ids (fp32 features: to rounding)', async () => {
    const direct = await losses(15);
    const cached = await losses(15, await features('float32'));
    expect(direct.loss[14]!).toBeLessThan(direct.loss[0]! * 0.8); // it learns: the comparison is not of constants
    expect(maxRelDiff(cached.loss, direct.loss)).toBeLessThan(1e-5);
    for (const [name, w] of direct.params) expect(maxRelDiff([...cached.params.get(name)!], [...w])).toBeLessThan(1e-3);
  });

  it('stay within half-precision rounding with the fp16 features the cache stores', async () => {
    const direct = await losses(15);
    const cached = await losses(15, await features('float16'));
    const diff = maxRelDiff(cached.loss, direct.loss);
    expect(diff).toBeLessThan(3e-3);
    expect(diff).toBeGreaterThan(0); // fp16 really was fed
  });

  it('holds only the heads: the encoder is not in the graph', () => {
    const built = buildModelTrainingGraph({ model, freeze: { preset: 'heads-only' }, clipNorm: 1, input: 'features' });
    expect(built.layout.frozen).toEqual([]);
    expect(built.layout.trainable.every((p) => p.name.startsWith('heads.'))).toBe(true);
    expect(built.layout.batchInputs.map((b) => b.name).sort()).toEqual([
      'attention_mask',
      'class_labels',
      'features',
      'ner_labels',
    ]);
    const evalGraph = buildModelEvalGraph(model, { input: 'features' });
    expect(evalGraph.inputNames.filter((n) => !n.startsWith('heads.')).sort()).toEqual(['attention_mask', 'features']);
  });

  it('refuses a freeze setting that trains the encoder, and says which presets cache', () => {
    expect(() =>
      buildModelTrainingGraph({ model, freeze: { preset: 'full' }, clipNorm: 1, input: 'features' }),
    ).toThrow(FreezePresetError);
    expect(encoderFrozen(trainingPartition(model, { preset: 'heads-only' }))).toBe(true);
    expect(encoderFrozen(trainingPartition(model, { preset: 'freeze-ner' }))).toBe(false);
    const allFrozen = {
      preset: 'freeze-ner' as const,
      freezeEmbeddings: true,
      freezeBottomLayers: TINY_DIMS.numLayers,
    };
    expect(encoderFrozen(trainingPartition(model, allFrozen))).toBe(true);
  });
});
