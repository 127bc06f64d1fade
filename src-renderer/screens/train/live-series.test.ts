import { describe, expect, it } from 'vitest';
import type { CurveInfo } from '../../../src-preload/contract';
import { EMPTY_SERIES, mergeSeries, seriesFromCurves, type LiveSeries } from './live-series';

const curve = (split: string, name: string, steps: number[], values: (number | null)[]): CurveInfo => ({
  split,
  name,
  steps,
  values,
});

const stored = seriesFromCurves([
  curve('train', 'loss', [1, 2, 3], [3, 2.5, 2]),
  curve('train', 'loss.ner', [2, 3], [1.1, 1.0]),
  curve('dev', 'classification.accuracy', [3], [0.5]),
  curve('dev', 'classification.macroF1', [3], [0.4]),
]);

describe('seriesFromCurves', () => {
  it('puts every train loss on the total loss steps and every dev metric on the eval steps', () => {
    expect(stored).toEqual({
      steps: [1, 2, 3],
      loss: [3, 2.5, 2],
      clsLoss: [null, null, null],
      nerLoss: [null, 1.1, 1.0],
      evalSteps: [3],
      accuracy: [0.5],
      macroF1: [0.4],
      nerF1: [null],
    });
  });

  it('is empty for a run without stored points', () => {
    expect(seriesFromCurves([])).toEqual(EMPTY_SERIES);
  });
});

describe('mergeSeries', () => {
  it('keeps only the live points newer than the stored ones, in order', () => {
    const live: LiveSeries = {
      ...EMPTY_SERIES,
      steps: [2, 3, 4, 5],
      loss: [9, 9, 1.8, 1.7],
      clsLoss: [null, null, null, null],
      nerLoss: [9, 9, 0.9, 0.8],
      evalSteps: [3, 5],
      accuracy: [9, 0.6],
      macroF1: [9, 0.5],
      nerF1: [null, null],
    };
    const merged = mergeSeries(stored, live);
    expect(merged.steps).toEqual([1, 2, 3, 4, 5]);
    expect(merged.loss).toEqual([3, 2.5, 2, 1.8, 1.7]);
    expect(merged.nerLoss).toEqual([null, 1.1, 1.0, 0.9, 0.8]);
    expect(merged.evalSteps).toEqual([3, 5]);
    expect(merged.accuracy).toEqual([0.5, 0.6]);
    expect(merged.macroF1).toEqual([0.4, 0.5]);
  });

  it('keeps every live point when nothing was stored yet', () => {
    const live: LiveSeries = { ...EMPTY_SERIES, steps: [7], loss: [1], clsLoss: [null], nerLoss: [null] };
    expect(mergeSeries(EMPTY_SERIES, live)).toEqual(live);
  });
});
