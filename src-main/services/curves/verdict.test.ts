import { describe, expect, it } from 'vitest';
import { IGNORE, type TrainExample } from '../../engine/trainer';
import { pickShare, shareProblems } from './shares';
import { curveVerdict, type VerdictPoint } from './verdict';

const pts = (acc: (number | null)[], ner: (number | null)[] = acc.map(() => null)): VerdictPoint[] =>
  acc.map((a, i) => ({ trainExamples: 250 * (i + 1), accuracy: a, nerF1: ner[i]! }));

describe('curveVerdict', () => {
  it('says labelling pays while the last points still rise clearly, from their slope per doubling', () => {
    const [v] = curveVerdict(pts([0.6, 0.7, 0.76, 0.8]), 1000);
    expect(v).toMatchObject({ task: 'classification', pays: 'yes' });
    // Least squares over 500/750/1000 examples (70, 76, 80): 10 points over log2(1000/500) = 1 doubling.
    expect(v!.pointsPerDoubling).toBeCloseTo(10, 1);
    expect(v!.message).toMatch(/^More labelling pays: the dev accuracy still rises \+10\.0 points per doubling/);
    expect(v!.message).toMatch(/from 500 to 1000 examples it went 70\.0 -> 80\.0/);
  });

  it('calls a flat top flat, and a small rise on a small dev set noise', () => {
    expect(curveVerdict(pts([0.6, 0.8, 0.801, 0.802]), 1000)[0]).toMatchObject({ pays: 'no' });
    expect(curveVerdict(pts([0.6, 0.8, 0.81, 0.82]), 1000)[0]).toMatchObject({ pays: 'little' });
    // The same +2.4 points per doubling on 40 dev examples is under 3 examples' worth (7.5 points): not a trend.
    const small = curveVerdict(pts([0.6, 0.8, 0.81, 0.82]), 40)[0]!;
    expect(small.pays).toBe('no');
    expect(small.message).toMatch(/with 40 dev examples, changes under 7\.5 points are noise/);
    // +0.7 per doubling is below the 1-point noise of 1000 dev examples: no gain is claimed.
    expect(curveVerdict(pts([0.6, 0.8, 0.804, 0.807]), 1000)[0]).toMatchObject({ pays: 'no' });
  });

  it('says so when more data made the metric worse, and skips points that are not numbers', () => {
    const [falls] = curveVerdict(pts([0.9, 0.85, 0.8, 0.75]), 1000);
    expect(falls!.pays).toBe('no');
    expect(falls!.message).toMatch(/^More data made the dev accuracy worse: it falls -\d+\.\d points per doubling/);
    const [skipped] = curveVerdict(pts([0.6, 0.7, Number.NaN, 0.8]), 1000);
    // The 750-example point is left out: the last three measured are 250, 500 and 1000.
    expect(skipped!.message).toMatch(/from 250 to 1000 examples it went 60\.0 -> 80\.0/);
  });

  it('reads each task on its own and waits for two measured shares', () => {
    const both = curveVerdict(pts([0.8, 0.8], [0.3, 0.5]), 500);
    expect(both.map((v) => [v.task, v.pays])).toEqual([
      ['classification', 'no'],
      ['ner', 'yes'],
    ]);
    expect(curveVerdict(pts([0.7, null]), 500)).toEqual([
      expect.objectContaining({ task: 'classification', pays: 'unknown', pointsPerDoubling: null }),
    ]);
    expect(curveVerdict([], null)).toEqual([]);
  });
});

describe('shares', () => {
  // 20 examples: classes 0 and 1 alternate, class 2 once (the last), then 10 NER-only ones.
  const examples: TrainExample[] = [
    ...Array.from({ length: 20 }, (_, i) => ({ ids: [2, 10 + i, 3], classLabel: i === 19 ? 2 : i % 2 })),
    ...Array.from({ length: 10 }, (_, i) => ({ ids: [2, 40 + i, 3], classLabel: IGNORE, nerLabels: [0, 0, 0] })),
  ];

  it('nests, stratified: a larger share holds every example of a smaller one, and every class is in each', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const small = pickShare(examples, 0.25, seed);
      const large = pickShare(examples, 0.75, seed);
      // Per class: round(f x n), at least 1 (10 of class 0, 9 of class 1, 1 of class 2, 10 NER-only).
      expect(small).toHaveLength(3 + 2 + 1 + 3);
      expect(large).toHaveLength(8 + 7 + 1 + 8);
      expect(small.every((e) => large.includes(e))).toBe(true);
      for (const share of [small, large])
        expect(new Set(share.map((e) => e.classLabel))).toEqual(new Set([0, 1, 2, IGNORE]));
    }
    // The seed decides which examples: two seeds give different shares of the same size.
    expect(pickShare(examples, 0.25, 1)).not.toEqual(pickShare(examples, 0.25, 2));
  });

  it('names each share too small for a batch or missing a class, with the numbers', () => {
    // "absent" has no train example at all: no share can have it (a class seen only in dev).
    const problems = shareProblems(examples, [0.1, 0.5, 1], 8, ['a', 'b', 'rare', 'absent'], 7);
    expect(problems).toEqual([
      '10 % of the 30 train examples is 4, fewer than one batch of 8',
      '50 % (16 examples) has no example of class "absent" (it has 3 of 4 classes)',
      '100 % (30 examples) has no example of class "absent" (it has 3 of 4 classes)',
    ]);
    expect(shareProblems(examples, [0.5, 1], 8, ['a', 'b', 'rare'], 7)).toEqual([]);
  });
});
