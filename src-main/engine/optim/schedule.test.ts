import { describe, expect, it } from 'vitest';
import { learningRate, ScheduleError, warmupStepsFromRatio } from './schedule';

describe('learning-rate schedules', () => {
  it('constant ignores the step', () => {
    expect(learningRate({ kind: 'constant', lr: 3e-4 }, 0)).toBe(3e-4);
    expect(learningRate({ kind: 'constant', lr: 3e-4 }, 999)).toBe(3e-4);
  });

  it('linear warms up from 0, peaks at the end of warmup and reaches 0 at totalSteps', () => {
    const s = { kind: 'linear', lr: 1, warmupSteps: 4, totalSteps: 12 } as const;
    const lrs = Array.from({ length: 14 }, (_, i) => learningRate(s, i));
    expect(lrs[0]).toBe(0);
    expect(lrs[2]).toBeCloseTo(0.5, 12);
    expect(lrs[4]).toBe(1);
    expect(lrs[8]).toBeCloseTo(0.5, 12);
    expect(lrs[12]).toBe(0);
    expect(lrs[13]).toBe(0);
    for (let i = 1; i <= 4; i++) expect(lrs[i]!).toBeGreaterThan(lrs[i - 1]!);
    for (let i = 5; i <= 12; i++) expect(lrs[i]!).toBeLessThan(lrs[i - 1]!);
  });

  it('cosine follows half a cosine after warmup', () => {
    const s = { kind: 'cosine', lr: 2, warmupSteps: 2, totalSteps: 10 } as const;
    expect(learningRate(s, 1)).toBeCloseTo(1, 12);
    expect(learningRate(s, 2)).toBeCloseTo(2, 12);
    expect(learningRate(s, 6)).toBeCloseTo(1, 12);
    expect(learningRate(s, 4)).toBeCloseTo(1 + Math.cos(Math.PI / 4), 12);
    expect(learningRate(s, 10)).toBeCloseTo(0, 12);
  });

  it('rejects bad steps and warmups with actionable messages', () => {
    expect(() => learningRate({ kind: 'constant', lr: 1 }, -1)).toThrow(ScheduleError);
    expect(() => learningRate({ kind: 'linear', lr: 1, warmupSteps: 20, totalSteps: 10 }, 0)).toThrow(
      /lower the warmup/,
    );
    expect(warmupStepsFromRatio(7500, 0.06)).toBe(450);
    expect(() => warmupStepsFromRatio(10, 1.5)).toThrow(/\[0, 1\]/);
  });
});
