import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InferenceError } from './errors';
import { createForwardPool } from './forward-pool';
import { batchParallelism, loadBatchPredictor, loadPredictor } from './load';
import { writeTinyCheckpoint } from './testing';

const root = mkdtempSync(join(tmpdir(), 'mts-pool-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ckpt = writeTinyCheckpoint(root, {
  classes: ['World', 'Sports'],
  tags: ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'],
  maxPositions: 96,
  maxLength: 32,
  seed: 5,
  headSeed: 7,
});

const TEXTS = [
  'John Smith said on Monday that Google shares rose in New York.',
  'Paris '.repeat(60),
  'Bush and the president met in London',
  'a',
  ...Array.from({ length: 40 }, (_, i) => `Report ${i}: the Bank of France met Acme Corp in Berlin.`),
];

describe('forward pool', () => {
  it('predicts exactly what one session predicts, with batches on two workers', async () => {
    const one = await loadPredictor(ckpt, { batchSize: 4 });
    const pooled = await loadBatchPredictor(ckpt, { batchSize: 4, workers: 2 });
    try {
      expect(pooled.workers).toBe(2);
      const [a, b] = [await one.predictor.predict(TEXTS), await pooled.predictor.predict(TEXTS)];
      // Same graph, same batches, one intra-op thread each: the numbers agree to float rounding.
      expect(b.map((p) => p.ok && p.label)).toEqual(a.map((p) => p.ok && p.label));
      expect(b.map((p) => p.ok && p.entities.map((e) => [e.type, e.start, e.end]))).toEqual(
        a.map((p) => p.ok && p.entities.map((e) => [e.type, e.start, e.end])),
      );
      a.forEach((p, i) => {
        const q = b[i]!;
        if (p.ok && q.ok) p.classProbs.forEach((c, j) => expect(q.classProbs[j]!.prob).toBeCloseTo(c.prob, 5));
      });
      const single = await loadBatchPredictor(ckpt, { workers: 1 });
      expect(single.workers).toBe(1);
      await single.release();
    } finally {
      await one.release();
      await pooled.release();
    }
  }, 60_000);

  it('refuses to predict once released, with the reason', async () => {
    const pooled = await loadBatchPredictor(ckpt, { batchSize: 4, workers: 2 });
    expect((await pooled.predictor.predict(['John met Mary in Paris.']))[0]!.ok).toBe(true);
    await pooled.release();
    await expect(pooled.predictor.predict(['Again.'])).rejects.toThrow(/released; load the model again/);
  }, 60_000);

  it('refuses a model the workers cannot open, and a pool of no workers', async () => {
    const bad = createForwardPool(new Uint8Array([1, 2, 3, 4]), { workers: 2 });
    await expect(bad).rejects.toThrow(InferenceError);
    await expect(bad).rejects.toThrow(/A prediction worker could not open the model/);
    await expect(createForwardPool(new Uint8Array(), { workers: 0 })).rejects.toThrow(/workers 0 must be/);
  }, 30_000);
});

describe('batchParallelism', () => {
  it('gives a CPU batch job one-thread workers within the thread budget, a small one or another device one session', () => {
    expect(batchParallelism(200, 32, { threads: 3 })).toEqual({ workers: 3 });
    expect(batchParallelism(200, 32, { threads: 9 })).toEqual({ workers: 4 });
    expect(batchParallelism(64, 32, { threads: 3 })).toEqual({ workers: 1, session: { threads: 3 } });
    expect(batchParallelism(10, 32)).toEqual({ workers: 1 });
    expect(batchParallelism(200, 32, { device: 'webgpu', threads: 2 })).toEqual({
      workers: 1,
      session: { device: 'webgpu', threads: 2 },
    });
  });
});
