import { describe, expect, it } from 'vitest';
import type { EvalMetrics } from './events';
import { resolveSelectMetric, resumedMetric, selectMetricValue } from './select-metric';

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
  it('goes on with the saved metric, keeps what auto meant in a state without one, and refuses a change', () => {
    expect(resumedMetric('tasks.mean', 'auto', both, null)).toBe('tasks.mean');
    expect(resumedMetric('tasks.mean', 'auto', both, { metric: 'tasks.mean' })).toBe('tasks.mean');
    expect(resumedMetric('tasks.mean', 'auto', both, {})).toBe('classification.accuracy');
    expect(resumedMetric('ner.f1', 'ner.f1', both, {})).toBe('ner.f1');
    expect(resumedMetric('ner.f1', 'auto', { classification: false, ner: true }, {})).toBe('ner.f1');
    expect(resumedMetric('tasks.mean', 'auto', both, { metric: 'classification.accuracy' })).toEqual({
      refused: expect.stringMatching(
        /kept its best checkpoint by classification\.accuracy and would now go on by tasks\.mean/,
      ),
    });
  });
});
