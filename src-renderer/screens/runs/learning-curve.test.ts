import { describe, expect, it } from 'vitest';
import type { CurvePointInfo, DatasetId, JsonValue, ProjectId, RunId } from '../../../src-preload/contract';
import { curveDomains, curveRequest, curveSeries, niceTicks, parseShares, requestOfRun } from './learning-curve';

const point = (fraction: number, n: number, accuracy: number | null, nerF1: number | null): CurvePointInfo => ({
  fraction,
  trainExamples: n,
  runId: 1 as RunId,
  accuracy,
  nerF1,
});

describe('learning-curve helpers', () => {
  it('makes one series per measured task, in percent, by train size', () => {
    const s = curveSeries([point(1, 100, 0.8, null), point(0.5, 50, 0.6, null), point(0.25, 25, null, null)]);
    expect(s).toEqual([
      {
        key: 'accuracy',
        label: 'Dev accuracy',
        points: [
          { x: 50, y: 60, fraction: 0.5 },
          { x: 100, y: 80, fraction: 1 },
        ],
      },
    ]);
    expect(curveDomains(s)).toEqual({ x: [0, 100], y: [50, 90] });
    expect(curveDomains([])).toEqual({ x: [0, 1], y: [0, 100] });
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 120, 6)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(niceTicks(50, 90, 5)).toEqual([50, 60, 70, 80, 90]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('reads shares as percentages or fractions and names a bad one', () => {
    expect(parseShares('25, 50,75 100%')).toEqual({ ok: true, fractions: [0.25, 0.5, 0.75, 1] });
    expect(parseShares('0.5 1')).toEqual({ ok: true, fractions: [0.5, 1] });
    expect(parseShares('25, abc')).toEqual({
      ok: false,
      error: '"abc" is not a share: use percentages from 1 to 100.',
    });
    expect(parseShares('150')).toMatchObject({ ok: false });
    expect(parseShares(' ')).toMatchObject({ ok: false });
  });

  it("takes a run's stored request without its name and resolved epochs, and drops what another choice voids", () => {
    const config: JsonValue = {
      request: {
        projectId: 1,
        datasetId: 2,
        nerDatasetId: 3,
        modelDir: '/m',
        name: 'old',
        preset: 'heads-only',
        lr: 0.002,
        epochs: 19,
        batchSize: 16,
      },
    };
    const base = requestOfRun(config)!;
    expect(base).toEqual({
      projectId: 1,
      datasetId: 2,
      nerDatasetId: 3,
      modelDir: '/m',
      preset: 'heads-only',
      lr: 0.002,
      batchSize: 16,
    });
    expect(requestOfRun({ trainer: {} })).toBeNull();
    const form = {
      projectId: 1 as ProjectId,
      datasetId: 2 as DatasetId,
      modelDir: '/m2',
      preset: 'heads-only' as const,
    };
    expect(curveRequest(base, form)).toEqual({ ...base, modelDir: '/m2' });
    // Another dataset: its own splits for every task; another preset: that preset's learning rate.
    expect(curveRequest(base, { ...form, datasetId: 5 as DatasetId, preset: 'full' })).toEqual({
      projectId: 1,
      datasetId: 5,
      modelDir: '/m2',
      preset: 'full',
      batchSize: 16,
    });
    expect(curveRequest(null, form)).toEqual(form);
  });
});
