import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from './events';
import { resolveSelectMetric, resumedMetric, type SavedBest, selectMetricValue } from './select-metric';

const both = { classification: true, ner: true };
const clsOnly = { classification: true, ner: false };
const nerOnly = { classification: false, ner: true };

const metrics = (accuracy: number, f1: number): EvalMetrics =>
  ({
    classification: { accuracy, macroF1: accuracy - 0.1, perClass: [], confusion: [] },
    ner: { precision: f1, recall: f1, f1, perType: [] },
  }) as unknown as EvalMetrics;

describe('resolveSelectMetric', () => {
  it('auto keeps both heads in view when both train, else the one head main metric', () => {
    expect(resolveSelectMetric('auto', both)).toEqual({ ok: true, metric: 'tasks.mean' });
    expect(resolveSelectMetric('auto', clsOnly)).toEqual({ ok: true, metric: 'classification.accuracy' });
    expect(resolveSelectMetric('auto', nerOnly)).toEqual({ ok: true, metric: 'ner.f1' });
  });

  it('keeps a named metric whose heads train', () => {
    expect(resolveSelectMetric('classification.macroF1', both)).toEqual({ ok: true, metric: 'classification.macroF1' });
    expect(resolveSelectMetric('ner.f1', nerOnly)).toEqual({ ok: true, metric: 'ner.f1' });
  });

  it('refuses a metric of a head the run does not train, naming what it may choose', () => {
    const r = resolveSelectMetric('ner.f1', clsOnly);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toContain('ner.f1');
    expect(r.message).toContain('the ner head');
    expect(r.message).toContain('trains classification');
    expect(r.message).toContain('auto, classification.accuracy, classification.macroF1.');
    const mean = resolveSelectMetric('tasks.mean', nerOnly);
    expect(mean.ok).toBe(false);
    if (!mean.ok) expect(mean.message).toContain('Choose auto, ner.f1.');
  });
});

describe('selectMetricValue', () => {
  it('reads each metric from one evaluation; the mean weighs the two heads alike', () => {
    const m = metrics(0.9, 0.5);
    expect(selectMetricValue(m, 'classification.accuracy')).toBe(0.9);
    expect(selectMetricValue(m, 'classification.macroF1')).toBeCloseTo(0.8, 12);
    expect(selectMetricValue(m, 'ner.f1')).toBe(0.5);
    expect(selectMetricValue(m, 'tasks.mean')).toBeCloseTo(0.7, 12);
  });

  it('is NaN when a head it needs was not scored', () => {
    expect(selectMetricValue({ ner: metrics(0, 0.4).ner! }, 'tasks.mean')).toBeNaN();
    expect(selectMetricValue({}, 'ner.f1')).toBeNaN();
  });
});

describe('resumedMetric', () => {
  const state = (metric: string | undefined, onDisk: SavedBest['onDisk'], bestValue: number | null = 0.5) => ({
    ...(metric !== undefined && { metric }),
    bestValue,
    bestStep: 6,
    onDisk,
  });
  it('goes on with the saved metric and refuses a change', () => {
    expect(resumedMetric('tasks.mean', 'auto', null)).toBe('tasks.mean');
    expect(resumedMetric('tasks.mean', 'auto', state('tasks.mean', null))).toBe('tasks.mean');
    expect(resumedMetric('tasks.mean', 'auto', state('classification.accuracy', null))).toEqual({
      refused: expect.stringMatching(
        /kept its best checkpoint by classification\.accuracy and would now go on by tasks\.mean/,
      ),
    });
  });

  it('reads the metric of a state saved without one from best/, at the best step only', () => {
    const mean = { step: 6, metric: 'tasks.mean' };
    const accuracy = { step: 6, metric: 'classification.accuracy' };
    // Saved while auto meant the heads' mean, or earlier while it meant accuracy: the run goes on as it began.
    expect(resumedMetric('tasks.mean', 'auto', state(undefined, mean))).toBe('tasks.mean');
    expect(resumedMetric('tasks.mean', 'auto', state(undefined, accuracy))).toBe('classification.accuracy');
    // A named metric is the user's: a different saved one is refused, not followed.
    expect(resumedMetric('ner.f1', 'ner.f1', state(undefined, accuracy))).toEqual({
      refused: expect.stringMatching(/by classification\.accuracy and would now go on by ner\.f1/),
    });
    // best/ of another step, an unknown name or none at all cannot say: refused rather than guessed.
    for (const onDisk of [{ step: 3, metric: 'tasks.mean' }, { step: 6, metric: 'loss' }, null])
      expect(resumedMetric('tasks.mean', 'auto', state(undefined, onDisk))).toEqual({
        refused: expect.stringMatching(/without saying which metric it was kept by/),
      });
    // No best yet: nothing to compare, so today's metric.
    expect(resumedMetric('tasks.mean', 'auto', state(undefined, null, null))).toBe('tasks.mean');
  });
});
