/** Turning stored curves into chart series. */
import type { CurveInfo, RunCurvesInfo } from '../../../src-preload/contract';
import type { ChartSeries } from './LineChart.svelte';

/** The series of (split, name) in `curves`, labelled `label`; null when the run has none. */
export function curveSeries(
  curves: readonly CurveInfo[],
  split: string,
  name: string,
  label: string,
  points = false,
): ChartSeries | null {
  const c = curves.find((x) => x.split === split && x.name === name);
  return c && c.steps.length > 0 ? { label, xs: c.steps, ys: c.values, points } : null;
}

/** Loss series of one run: total, classification, NER (those it recorded). */
export function lossSeries(curves: readonly CurveInfo[]): ChartSeries[] {
  return [
    curveSeries(curves, 'train', 'loss', 'total'),
    curveSeries(curves, 'train', 'loss.classification', 'classification'),
    curveSeries(curves, 'train', 'loss.ner', 'NER'),
  ].filter((s): s is ChartSeries => s !== null);
}

/** Dev metric series of one run: accuracy, macro-F1, entity F1 (those it recorded). */
export function devSeries(curves: readonly CurveInfo[]): ChartSeries[] {
  return [
    curveSeries(curves, 'dev', 'classification.accuracy', 'accuracy', true),
    curveSeries(curves, 'dev', 'classification.macroF1', 'macro-F1', true),
    curveSeries(curves, 'dev', 'ner.f1', 'entity F1', true),
  ].filter((s): s is ChartSeries => s !== null);
}

/** One metric of several runs overlaid, labelled by run id. */
export function overlay(runs: readonly RunCurvesInfo[], split: string, name: string, points = false): ChartSeries[] {
  return runs
    .map((r) => curveSeries(r.curves, split, name, `#${r.runId}`, points))
    .filter((s): s is ChartSeries => s !== null);
}

/** The curve's values at `steps` (both ascending), null where it has no point. */
export function valuesAt(steps: readonly number[], curve: CurveInfo | undefined): (number | null)[] {
  const out: (number | null)[] = [];
  let k = 0;
  for (const step of steps) {
    while (curve && k < curve.steps.length && curve.steps[k]! < step) k++;
    out.push(curve && curve.steps[k] === step ? (curve.values[k] ?? null) : null);
  }
  return out;
}
