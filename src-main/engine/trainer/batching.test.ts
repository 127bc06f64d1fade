import { describe, expect, it } from 'vitest';
import { planEpochBatches } from './batching';
import { EarlyStopping } from './early-stopping';
import { Rng } from '../random';
import { interleaveTasks } from './task-sampler';

describe('Rng', () => {
  it('resumes from saved state with the same sequence', () => {
    const a = Rng.fromSeed(42);
    for (let i = 0; i < 10; i++) a.next();
    const saved = a.state();
    const rest = Array.from({ length: 5 }, () => a.next());
    const b = Rng.fromState(saved);
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(rest);
    expect(Rng.fromSeed(1).next()).not.toBe(Rng.fromSeed(2).next());
  });

  it('draws roughly uniform floats', () => {
    const r = Rng.fromSeed(7);
    const xs = Array.from({ length: 20000 }, () => r.next());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});

describe('planEpochBatches', () => {
  const lengths = Array.from({ length: 1000 }, (_, i) => 5 + ((i * 37) % 120));

  it('covers every example once, deterministically per (seed, epoch)', () => {
    const plan = planEpochBatches(lengths, { batchSize: 32, shuffle: true, seed: 3, epoch: 0 });
    expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(planEpochBatches(lengths, { batchSize: 32, shuffle: true, seed: 3, epoch: 0 })).toEqual(plan);
    expect(planEpochBatches(lengths, { batchSize: 32, shuffle: true, seed: 3, epoch: 1 })).not.toEqual(plan);
  });

  it('keeps padding small by bucketing lengths', () => {
    const plan = planEpochBatches(lengths, { batchSize: 32, shuffle: true, seed: 1, epoch: 0 });
    const padded = plan.reduce((s, b) => s + b.length * Math.max(...b.map((i) => lengths[i]!)), 0);
    const real = lengths.reduce((s, l) => s + l, 0);
    expect(padded / real).toBeLessThan(1.1);
  });

  it('with one batch per bucket keeps the shuffled order (no length sorting)', () => {
    const plan = planEpochBatches(lengths, { batchSize: 32, bucketBatches: 1, shuffle: true, seed: 1, epoch: 0 });
    expect(plan.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    const sorted = plan.filter((b) => b.every((i, k) => k === 0 || lengths[b[k - 1]!]! <= lengths[i]!));
    expect(sorted.length).toBeLessThan(plan.length / 4);
    const padded = plan.reduce((s, b) => s + b.length * Math.max(...b.map((i) => lengths[i]!)), 0);
    expect(padded / lengths.reduce((s, l) => s + l, 0)).toBeGreaterThan(1.5);
  });

  it('with weights cuts batches of about equal weight, keeping padding small', () => {
    // Sentence lengths from 2 to 60 tokens, as CoNLL's mix of headlines, datelines and prose.
    const skewed = Array.from({ length: 3000 }, (_, i) => 2 + ((i * 7919) % 59));
    const byCount = planEpochBatches(skewed, { batchSize: 32, shuffle: true, seed: 5, epoch: 0 });
    const byWeight = planEpochBatches(skewed, { batchSize: 32, shuffle: true, seed: 5, epoch: 0, weights: skewed });
    const spread = (plan: number[][]) => {
      const w = plan.map((b) => b.reduce((s, i) => s + skewed[i]!, 0)).sort((a, b) => a - b);
      return w[Math.floor(0.95 * (w.length - 1))]! / w[Math.floor(0.05 * (w.length - 1))]!;
    };
    expect(spread(byCount)).toBeGreaterThan(5);
    expect(spread(byWeight)).toBeLessThan(1.3);
    expect(byWeight.flat().sort((a, b) => a - b)).toEqual(skewed.map((_, i) => i));
    expect(Math.abs(byWeight.length - byCount.length)).toBeLessThan(byCount.length * 0.05);
    expect(Math.max(...byWeight.map((b) => b.length))).toBeLessThanOrEqual(128);
    const padded = byWeight.reduce((s, b) => s + b.length * Math.max(...b.map((i) => skewed[i]!)), 0);
    expect(padded / skewed.reduce((s, l) => s + l, 0)).toBeLessThan(1.1);
  });

  it('refuses weights that do not match the examples', () => {
    expect(() =>
      planEpochBatches(lengths, { batchSize: 32, shuffle: true, seed: 1, epoch: 0, weights: [1, 2] }),
    ).toThrow(/weights has 2 entries for 1000 examples/);
  });

  it('refuses a bad batch size', () => {
    expect(() => planEpochBatches(lengths, { batchSize: 0, shuffle: false, seed: 1, epoch: 0 })).toThrow(/batchSize/);
  });
});

describe('interleaveTasks', () => {
  it('uses every batch once under each sampling rule', () => {
    for (const sampling of [
      { kind: 'proportional' as const },
      { kind: 'round-robin' as const },
      { kind: 'temperature' as const, temperature: 2 },
    ]) {
      const s = interleaveTasks({ cls: 30, ner: 10 }, sampling, 1, 0);
      expect(s.filter((x) => x.task === 'cls').map((x) => x.index)).toEqual([...Array(30).keys()]);
      expect(s.filter((x) => x.task === 'ner').map((x) => x.index)).toEqual([...Array(10).keys()]);
    }
  });

  it('round-robin alternates while both tasks have batches', () => {
    const s = interleaveTasks({ cls: 3, ner: 3 }, { kind: 'round-robin' }, 1, 0);
    expect(s.map((x) => x.task)).toEqual(['cls', 'ner', 'cls', 'ner', 'cls', 'ner']);
  });

  it('temperature flattens the mix toward uniform', () => {
    const firstHalf = (t: number): number =>
      interleaveTasks({ cls: 900, ner: 100 }, { kind: 'temperature', temperature: t }, 5, 0)
        .slice(0, 200)
        .filter((x) => x.task === 'ner').length;
    expect(firstHalf(100)).toBeGreaterThan(firstHalf(1));
  });
});

describe('EarlyStopping', () => {
  it('stops after patience evaluations without improvement and restores state', () => {
    const es = new EarlyStopping('accuracy', 'max', 2);
    expect(es.update(0.5, 1)).toBe(true);
    expect(es.update(0.6, 2)).toBe(true);
    expect(es.update(0.55, 3)).toBe(false);
    expect(es.shouldStop).toBe(false);
    const copy = new EarlyStopping('accuracy', 'max', 2);
    copy.restore(es.state());
    expect(es.update(0.59, 4)).toBe(false);
    expect(es.shouldStop).toBe(true);
    expect(es.best).toEqual({ value: 0.6, step: 2 });
    expect(copy.update(0.59, 4)).toBe(false);
    expect(copy.shouldStop).toBe(true);
  });
});
