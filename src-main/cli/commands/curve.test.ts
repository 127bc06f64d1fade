import { describe, expect, it } from 'vitest';
import { curveRow, labelerLine, parseFractions } from './curve';

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

  it("puts each share's entity F1 beside the silver labeler's on a gold dev", () => {
    const point = (fraction: number, vsLabelerPoints: number | null) => ({
      fraction,
      trainExamples: 10,
      accuracy: null,
      nerF1: 0.8,
      steps: 4,
      seconds: 1,
      outDir: '',
      vsLabelerPoints,
    });
    expect(labelerLine({ id: 'silver@1', f1: 0.7868 }, [point(0.5, -1.5), point(1, 3.16)])).toBe(
      "The silver labeler silver@1 scores entity F1 78.68 on this dev; each share's run against it: 50 % -1.50, 100 % +3.16.",
    );
  });
});
