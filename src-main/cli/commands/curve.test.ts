import { describe, expect, it } from 'vitest';
import { curveRow, parseFractions } from './curve';

describe('mts curve', () => {
  it('reads --fractions as percentages or fractions, and refuses what is neither', () => {
    expect(parseFractions('25,50,75,100')).toEqual([0.25, 0.5, 0.75, 1]);
    expect(parseFractions('0.1, 0.5,1')).toEqual([0.1, 0.5, 1]);
    for (const bad of ['', '0,50', '25,,50', 'half', '150']) expect(() => parseFractions(bad)).toThrow(/--fractions/);
  });

  it('prints one row per share with a bar for its metric', () => {
    const row = curveRow({
      fraction: 0.5,
      trainExamples: 120,
      accuracy: 0.75,
      nerF1: null,
      steps: 4,
      seconds: 1,
      outDir: '',
    });
    expect(row).toBe(` 50 %     120   75.00     -    ${'#'.repeat(30)}`);
  });
});
