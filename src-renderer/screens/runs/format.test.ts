import { describe, expect, it } from 'vitest';
import { baseName, bestText, duration, pct } from './format';

describe('format', () => {
  it('writes fractions as percentages and missing values as a dash', () => {
    expect(pct(0.91345)).toBe('91.3 %');
    expect(pct(1, 0)).toBe('100 %');
    expect(pct(null)).toBe('—');
    expect(pct(Number.NaN)).toBe('—');
  });

  it('writes durations in the largest sensible units', () => {
    expect(duration(0.25)).toBe('0.3 s');
    expect(duration(42)).toBe('42 s');
    expect(duration(95)).toBe('1 min 35 s');
    expect(duration(3 * 3600 + 120)).toBe('3 h 2 min');
    expect(duration(null)).toBe('—');
  });

  it('names a model by its folder on any platform', () => {
    expect(baseName('/models/all-MiniLM-L6-v2/')).toBe('all-MiniLM-L6-v2');
    expect(baseName('C:\\models\\bge-small')).toBe('bge-small');
  });

  it('says when a run stopped before any evaluation instead of "— (step -1)"', () => {
    expect(bestText({ metric: 'classification.accuracy', value: 0.7667, step: 40 })).toBe(
      'Best Accuracy: 76.7 % (step 40).',
    );
    expect(bestText({ metric: 'classification.accuracy', value: null, step: -1 })).toBe(
      'No evaluation ran before it stopped, so there is no best checkpoint yet.',
    );
  });
});
