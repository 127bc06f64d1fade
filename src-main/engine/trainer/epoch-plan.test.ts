import { describe, expect, it } from 'vitest';
import { planTrainingEpoch } from './epoch-plan';
import { IGNORE, type TrainExample } from './example';

// NER-only sentences of 3 to 40 words (one labelled position per word, [CLS]/[SEP] ignored).
const sentence = (words: number): TrainExample => ({
  ids: Array.from({ length: words + 2 }, (_, t) => t + 1),
  classLabel: IGNORE,
  nerLabels: Array.from({ length: words + 2 }, (_, t) => (t === 0 || t === words + 1 ? IGNORE : 0)),
});
const ner = Array.from({ length: 2000 }, (_, i) => sentence(3 + ((i * 31) % 38)));
const labelled = (b: readonly number[]): number => b.reduce((s, i) => s + ner[i]!.ids.length - 2, 0);

describe('planTrainingEpoch', () => {
  const base = { batchSize: 32, seed: 3, taskSampling: { kind: 'proportional' as const } };

  it("cuts NER-only batches by labelled tokens ('tokens') or by sentences ('examples')", () => {
    const byTokens = planTrainingEpoch(ner, { ...base, nerBatching: 'tokens' }, 0);
    const byCount = planTrainingEpoch(ner, { ...base, nerBatching: 'examples' }, 0);
    const range = (plan: number[][]) => {
      const w = plan.map(labelled);
      return Math.max(...w) / Math.min(...w);
    };
    expect(range(byCount)).toBeGreaterThan(4);
    expect(range(byTokens)).toBeLessThan(2);
    expect(byCount.every((b, i) => b.length === 32 || i === byCount.length - 1 || b.length < 32)).toBe(true);
    expect(byTokens.flat().sort((a, b) => a - b)).toEqual(ner.map((_, i) => i));
    expect(planTrainingEpoch(ner, { ...base, nerBatching: 'tokens' }, 0)).toEqual(byTokens);
  });

  it('keeps sentence-count batches for examples with a class label', () => {
    const withClass = ner.map((e) => ({ ...e, classLabel: 1 }));
    const plan = planTrainingEpoch(withClass, { ...base, nerBatching: 'tokens' }, 0);
    expect(plan.filter((b) => b.length !== 32)).toHaveLength(withClass.length % 32 === 0 ? 0 : 1);
  });
});
