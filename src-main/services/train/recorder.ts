// Turns training events into run_metrics rows, written in batches (one transaction per batch).
import type { EvalMetrics, TrainEvent } from '../../engine/trainer';
import type { Db } from '../../store/db';
import { appendMetrics } from '../../store/repos/runs';
import type { Metric } from '../../store/types';

type StepEvent = Extract<TrainEvent, { type: 'step' }>;
type EvalEvent = Extract<TrainEvent, { type: 'eval' }>;

/** Metric names; per-label ones are `<name>:<label>` (labels may contain dots). */
export const METRIC = {
  loss: 'loss',
  clsLoss: 'loss.classification',
  nerLoss: 'loss.ner',
  lr: 'lr',
  gradNorm: 'gradNorm',
  samplesPerSec: 'samplesPerSec',
  accuracy: 'classification.accuracy',
  macroF1: 'classification.macroF1',
  nerPrecision: 'ner.precision',
  nerRecall: 'ner.recall',
  nerF1: 'ner.f1',
} as const;

/** The train-split points of one optimizer step: losses, learning rate, gradient norm, throughput. */
export function stepMetrics(e: StepEvent): Metric[] {
  const at = (name: string, value: number): Metric => ({ step: e.step, epoch: e.epoch, split: 'train', name, value });
  return [
    at(METRIC.loss, e.losses.total),
    ...(e.losses.classification !== undefined ? [at(METRIC.clsLoss, e.losses.classification)] : []),
    ...(e.losses.ner !== undefined ? [at(METRIC.nerLoss, e.losses.ner)] : []),
    at(METRIC.lr, e.lr),
    at(METRIC.gradNorm, e.gradNorm),
    at(METRIC.samplesPerSec, e.samplesPerSec),
  ];
}

/** The dev-split points of one evaluation: accuracy, macro-F1, per-class P/R/F1, entity P/R/F1 overall and per type. */
export function evalMetrics(e: EvalEvent): Metric[] {
  return flattenEval(e.metrics).map(([name, value]) => ({ step: e.step, epoch: e.epoch, split: 'dev', name, value }));
}

/** Eval metrics as (name, value) pairs under the METRIC names. */
export function flattenEval(m: EvalMetrics): [string, number][] {
  const out: [string, number][] = [];
  if (m.classification) {
    const c = m.classification;
    out.push([METRIC.accuracy, c.accuracy], [METRIC.macroF1, c.macroF1]);
    for (const p of c.perClass) {
      out.push(
        [`classification.precision:${p.label}`, p.precision],
        [`classification.recall:${p.label}`, p.recall],
        [`classification.f1:${p.label}`, p.f1],
      );
    }
  }
  if (m.ner) {
    out.push([METRIC.nerPrecision, m.ner.precision], [METRIC.nerRecall, m.ner.recall], [METRIC.nerF1, m.ner.f1]);
    for (const t of m.ner.perType)
      out.push(
        [`ner.precision:${t.type}`, t.precision],
        [`ner.recall:${t.type}`, t.recall],
        [`ner.f1:${t.type}`, t.f1],
      );
  }
  if (m.loss) {
    out.push([METRIC.loss, m.loss.total]);
    if (m.loss.classification !== undefined) out.push([METRIC.clsLoss, m.loss.classification]);
    if (m.loss.ner !== undefined) out.push([METRIC.nerLoss, m.loss.ner]);
  }
  return out;
}

/**
 * Buffers metric points and writes them every `everySteps` steps or `everyMs` milliseconds, and at once on
 * evaluations (so the dev curve is never behind what the UI was told). Call flush() at the end.
 */
export class MetricRecorder {
  private buffer: Metric[] = [];
  private steps = 0;
  private last = performance.now();

  constructor(
    private readonly db: Db,
    private readonly runId: number,
    private readonly everySteps = 25,
    private readonly everyMs = 2000,
  ) {}

  /** Records what the event carries; other event types are ignored. */
  onEvent(e: TrainEvent): void {
    if (e.type === 'step') {
      this.buffer.push(...stepMetrics(e));
      this.steps++;
      if (this.steps >= this.everySteps || performance.now() - this.last >= this.everyMs) this.flush();
    } else if (e.type === 'eval') {
      this.buffer.push(...evalMetrics(e));
      this.flush();
    }
  }

  /** Writes the buffered points in one transaction. */
  flush(): void {
    if (this.buffer.length > 0) appendMetrics(this.db, this.runId, this.buffer);
    this.buffer = [];
    this.steps = 0;
    this.last = performance.now();
  }
}
