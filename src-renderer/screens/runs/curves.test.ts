import { describe, expect, it } from 'vitest';
import type { CurveInfo, RunCurvesInfo, RunId, RunStatus } from '../../../src-preload/contract';
import { devSeries, lossSeries, overlay, valuesAt } from './curves';

const curve = (split: string, name: string, steps: number[], values: (number | null)[]): CurveInfo => ({
  split,
  name,
  steps,
  values,
});

describe('valuesAt', () => {
  it('aligns a sparser curve to the steps, null where it has no point', () => {
    const c = curve('train', 'loss.ner', [2, 4, 5], [0.5, 0.4, null]);
    expect(valuesAt([1, 2, 3, 4, 5, 6], c)).toEqual([null, 0.5, null, 0.4, null, null]);
  });

  it('gives all nulls for a missing curve', () => {
    expect(valuesAt([1, 2], undefined)).toEqual([null, null]);
  });
});

describe('series from stored curves', () => {
  const curves = [
    curve('train', 'loss', [1, 2, 3], [3, 2.5, 2]),
    curve('train', 'loss.classification', [1, 2, 3], [1.4, 1.3, 1.2]),
    curve('dev', 'classification.accuracy', [3], [0.5]),
    curve('dev', 'loss', [3], [2.2]),
  ];

  it('keeps only the losses and dev metrics the run recorded, dev metrics as points', () => {
    expect(lossSeries(curves).map((s) => s.label)).toEqual(['total', 'classification']);
    const dev = devSeries(curves);
    expect(dev).toEqual([{ label: 'accuracy', xs: [3], ys: [0.5], points: true }]);
  });

  it('overlays one metric of several runs, labelled by run id', () => {
    const run = (id: number, c: CurveInfo[]): RunCurvesInfo => ({
      runId: id as RunId,
      status: 'completed' as RunStatus,
      curves: c,
    });
    const series = overlay([run(1, curves), run(2, [curve('train', 'loss', [1], [9])]), run(3, [])], 'train', 'loss');
    expect(series.map((s) => [s.label, s.ys])).toEqual([
      ['#1', [3, 2.5, 2]],
      ['#2', [9]],
    ]);
  });
});
