import { describe, expect, it } from 'vitest';
import type { AdamWConfig } from '../optim';
import { hostTensor, type HostTensor, TrainingSession } from '../runtime';
import { initHeads, randomTensors } from './init';
import type { MultiTaskSpec } from './multitask';
import { EMBEDDING_NAMES, encoderParamSpecs } from './param-names';
import { TINY_DIMS } from './testing';
import { buildModelAccumulationGraphs, buildModelTrainingGraph, type EmbeddingUpdates } from './training-graph';

// Lazy word-embedding updates on the tiny BERT (vocab 50, H 32), both heads, dropout off, against dense.
const model: MultiTaskSpec = { dims: TINY_DIMS, numClasses: 3, numNerLabels: 5, pooling: 'mean' };
const V = TINY_DIMS.vocabSize;
const H = TINY_DIMS.hiddenSize;
const NO_DROPOUT = { hidden: 0, attention: 0, head: 0 };
const SCHEDULE = { kind: 'constant' as const, lr: 1e-3 };

function batch(rows: readonly (readonly number[])[]): Record<string, HostTensor> {
  const b = rows.length;
  const t = rows[0]!.length;
  return {
    input_ids: hostTensor('int64', BigInt64Array.from(rows.flat(), BigInt), [b, t]),
    attention_mask: hostTensor('float32', new Float32Array(b * t).fill(1), [b, t]),
    class_labels: hostTensor(
      'int32',
      Int32Array.from(rows, (_, i) => i % 3),
      [b],
    ),
    ner_labels: hostTensor(
      'int32',
      Int32Array.from(rows.flat(), (id, i) => (id + i) % 5),
      [b, t],
    ),
  };
}

// Every one of the 50 ids, in a scrambled order (7 is prime to 50): 5 rows of 10.
const EVERY_ID = Array.from({ length: 5 }, (_, r) => Array.from({ length: 10 }, (_, c) => ((r * 10 + c) * 7) % V));
// Ids 2..21 only: rows 22..49 and 0..1 never appear.
const FEW_IDS_A = [
  [2, 10, 11, 12, 13, 3],
  [2, 14, 15, 16, 17, 3],
];
const FEW_IDS_B = [
  [2, 18, 19, 20, 21, 3],
  [2, 10, 19, 4, 5, 3],
];

function initialParams(): Map<string, Float32Array> {
  const enc = randomTensors(encoderParamSpecs(TINY_DIMS), 11, 0.3);
  const heads = initHeads(TINY_DIMS.hiddenSize, 3, 5, 12, 0.3);
  return new Map([...enc, ...heads].map(([n, t]) => [n, t.data]));
}

async function train(
  updates: EmbeddingUpdates,
  adamw: AdamWConfig,
  batches: readonly (readonly (readonly number[])[])[],
): Promise<{ readonly params: ReadonlyMap<string, Float32Array | Float64Array>; readonly norms: number[] }> {
  const built = buildModelTrainingGraph({
    model,
    freeze: { preset: 'full' },
    clipNorm: 1.0,
    dropout: NO_DROPOUT,
    adamw,
    embeddingUpdates: updates,
  });
  expect(built.layout.lazyRows?.map((l) => l.param) ?? []).toEqual(updates === 'lazy' ? [EMBEDDING_NAMES.word] : []);
  const s = await TrainingSession.create({
    bytes: built.bytes,
    layout: built.layout,
    adamw,
    schedule: SCHEDULE,
    params: initialParams(),
    seed: 1,
    threads: 1,
  });
  const norms: number[] = [];
  for (const b of batches) norms.push((await s.trainStep(batch(b))).gradNorm);
  const params = s.getParameters();
  await s.release();
  return { params, norms };
}

function worstDiff(
  a: ReadonlyMap<string, Float32Array | Float64Array>,
  b: ReadonlyMap<string, Float32Array | Float64Array>,
  only?: (name: string, i: number) => boolean,
): number {
  let worst = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.length; i++) {
      if (!only || only(name, i)) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    }
  }
  return worst;
}

const ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.01 };

describe('lazy word-embedding updates (ModelTrainingSpec.embeddingUpdates)', () => {
  it('equal dense updates when every vocabulary row is in every batch (3 steps, weight decay on)', async () => {
    const batches = [EVERY_ID, EVERY_ID.slice().reverse(), EVERY_ID];
    const lazy = await train('lazy', ADAMW, batches);
    const dense = await train('dense', ADAMW, batches);
    lazy.norms.forEach((n, i) => expect(n).toBeCloseTo(dense.norms[i]!, 5));
    expect(worstDiff(lazy.params, dense.params)).toBeLessThan(1e-6);
  });

  it('equal dense updates on a first step without weight decay; then absent rows keep their values', async () => {
    const noDecay = { ...ADAMW, weightDecay: 0 };
    const [lazy1, dense1] = [await train('lazy', noDecay, [FEW_IDS_A]), await train('dense', noDecay, [FEW_IDS_A])];
    expect(lazy1.norms[0]).toBeCloseTo(dense1.norms[0]!, 5);
    expect(worstDiff(lazy1.params, dense1.params)).toBeLessThan(1e-6);

    const lazy = await train('lazy', ADAMW, [FEW_IDS_A, FEW_IDS_B]);
    const dense = await train('dense', ADAMW, [FEW_IDS_A, FEW_IDS_B]);
    const word = EMBEDDING_NAMES.word;
    const initial = initialParams().get(word)!;
    const seen = new Set([...FEW_IDS_A.flat(), ...FEW_IDS_B.flat()]);
    const row = (i: number): number => Math.floor(i / H);
    // Never in a batch: lazy leaves the row as it was, dense decays it (weight decay on).
    const never = (name: string, i: number): boolean => name === word && !seen.has(row(i));
    expect(worstDiff(new Map([[word, lazy.params.get(word)!]]), new Map([[word, initial]]), never)).toBe(0);
    expect(worstDiff(new Map([[word, dense.params.get(word)!]]), new Map([[word, initial]]), never)).toBeGreaterThan(0);
    // In step 1 only (ids 11..17): dense keeps moving them on momentum at step 2, lazy does not.
    const onlyFirst = new Set(FEW_IDS_A.flat().filter((id) => !FEW_IDS_B.flat().includes(id)));
    const firstOnly = (name: string, i: number): boolean => name === word && onlyFirst.has(row(i));
    expect(worstDiff(lazy.params, dense.params, firstOnly)).toBeGreaterThan(1e-5);
  });

  it('is refused by the accumulation graphs; a frozen word table has no lazy rows', () => {
    const spec = { model, freeze: { preset: 'full' as const }, clipNorm: 1.0, embeddingUpdates: 'lazy' as const };
    expect(() => buildModelAccumulationGraphs(spec)).toThrow(/lazy row updates.*dense updates/);
    expect(buildModelTrainingGraph({ ...spec, freezeWordEmbeddings: true }).layout.lazyRows).toBeUndefined();
    expect(buildModelTrainingGraph({ ...spec, freeze: { preset: 'heads-only' } }).layout.lazyRows).toBeUndefined();
  });
});
