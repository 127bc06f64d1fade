/** Chart columns of a followed run: built from live events and from stored curves, and merged. */
import type { CurveInfo } from '../../../src-preload/contract';
import { valuesAt } from '../runs/curves';

/** Loss columns (train split) and dev metric columns, uPlot-ready. */
export interface LiveSeries {
  readonly steps: readonly number[];
  readonly loss: readonly (number | null)[];
  readonly clsLoss: readonly (number | null)[];
  readonly nerLoss: readonly (number | null)[];
  readonly evalSteps: readonly number[];
  readonly accuracy: readonly (number | null)[];
  readonly macroF1: readonly (number | null)[];
  readonly nerF1: readonly (number | null)[];
}

export const EMPTY_SERIES: LiveSeries = {
  steps: [],
  loss: [],
  clsLoss: [],
  nerLoss: [],
  evalSteps: [],
  accuracy: [],
  macroF1: [],
  nerF1: [],
};

/** The columns of a run's stored curves (train losses on the loss curve's steps, dev metrics on eval steps). */
export function seriesFromCurves(curves: readonly CurveInfo[]): LiveSeries {
  const get = (split: string, name: string): CurveInfo | undefined =>
    curves.find((c) => c.split === split && c.name === name);
  const loss = get('train', 'loss');
  const acc = get('dev', 'classification.accuracy');
  const ner = get('dev', 'ner.f1');
  const steps = loss?.steps ?? [];
  const evalSteps = (acc ?? ner)?.steps ?? [];
  return {
    steps,
    loss: loss?.values ?? [],
    clsLoss: valuesAt(steps, get('train', 'loss.classification')),
    nerLoss: valuesAt(steps, get('train', 'loss.ner')),
    evalSteps,
    accuracy: valuesAt(evalSteps, acc),
    macroF1: valuesAt(evalSteps, get('dev', 'classification.macroF1')),
    nerF1: valuesAt(evalSteps, ner),
  };
}

/** Stored columns followed by the live points that are newer than the last stored step (steps stay ascending). */
export function mergeSeries(stored: LiveSeries, live: LiveSeries): LiveSeries {
  const lastStep = stored.steps.at(-1) ?? Number.NEGATIVE_INFINITY;
  const lastEval = stored.evalSteps.at(-1) ?? Number.NEGATIVE_INFINITY;
  const newer = (xs: readonly number[], from: number) => {
    const keep = xs.map((x) => x > from);
    return <T>(ys: readonly T[]): T[] => ys.filter((_, i) => keep[i]);
  };
  const step = newer(live.steps, lastStep);
  const evals = newer(live.evalSteps, lastEval);
  return {
    steps: [...stored.steps, ...step(live.steps)],
    loss: [...stored.loss, ...step(live.loss)],
    clsLoss: [...stored.clsLoss, ...step(live.clsLoss)],
    nerLoss: [...stored.nerLoss, ...step(live.nerLoss)],
    evalSteps: [...stored.evalSteps, ...evals(live.evalSteps)],
    accuracy: [...stored.accuracy, ...evals(live.accuracy)],
    macroF1: [...stored.macroF1, ...evals(live.macroF1)],
    nerF1: [...stored.nerF1, ...evals(live.nerF1)],
  };
}
