import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClassificationInputError, classificationScores } from './classification';

describe('classificationScores', () => {
  it('computes a hand-checked example', () => {
    // true a a b b c ; pred a b b b a
    const s = classificationScores(['a', 'a', 'b', 'b', 'c'], ['a', 'b', 'b', 'b', 'a']);
    expect(s.labels).toEqual(['a', 'b', 'c']);
    expect(s.confusion).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(s.accuracy).toBeCloseTo(3 / 5, 12);
    // a: P 1/2 R 1/2 F 1/2 ; b: P 2/3 R 1 F 0.8 ; c: 0
    expect(s.perClass.a.f1).toBeCloseTo(0.5, 12);
    expect(s.perClass.b.precision).toBeCloseTo(2 / 3, 12);
    expect(s.perClass.b.f1).toBeCloseTo(0.8, 12);
    expect(s.perClass.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(s.macroF1).toBeCloseTo((0.5 + 0.8 + 0) / 3, 12);
  });

  it('agrees with direct counting on random inputs', () => {
    const label = fc.constantFrom('w', 'x', 'y', 'z');
    fc.assert(
      fc.property(fc.array(fc.tuple(label, label), { minLength: 1, maxLength: 60 }), (pairs) => {
        const t = pairs.map((p) => p[0]);
        const p = pairs.map((q) => q[1]);
        const s = classificationScores(t, p, ['w', 'x', 'y', 'z']);
        expect(s.accuracy).toBeCloseTo(pairs.filter(([a, b]) => a === b).length / pairs.length, 12);
        for (const c of ['w', 'x', 'y', 'z']) {
          const tp = pairs.filter(([a, b]) => a === c && b === c).length;
          const support = t.filter((a) => a === c).length;
          expect(s.perClass[c].support).toBe(support);
          const predicted = p.filter((b) => b === c).length;
          expect(s.perClass[c].precision).toBeCloseTo(predicted === 0 ? 0 : tp / predicted, 12);
        }
        expect(s.confusion.flat().reduce((a, b) => a + b, 0)).toBe(pairs.length);
      }),
    );
  });

  it('names a label outside the given label set', () => {
    expect(() => classificationScores(['a'], ['q'], ['a', 'b'])).toThrow(ClassificationInputError);
    expect(() => classificationScores(['a'], ['q'], ['a', 'b'])).toThrow(/"q"/);
  });
});
