/** One training followed live: the step and eval events of a run turned into chart columns and counters. */
import type { CurveInfo, RunId, RunInfo, RunStatus, TrainProgress } from '../../../src-preload/contract';
import { valuesAt } from '../runs/curves';

type Started = Extract<TrainProgress, { type: 'started' }>;
type Step = Extract<TrainProgress, { type: 'step' }>;
type Finished = Extract<TrainProgress, { type: 'finished' }>;

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

const EMPTY: LiveSeries = {
  steps: [],
  loss: [],
  clsLoss: [],
  nerLoss: [],
  evalSteps: [],
  accuracy: [],
  macroF1: [],
  nerF1: [],
};

const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

export class LiveRun {
  status = $state<RunStatus>('queued');
  error = $state<string | null>(null);
  started = $state.raw<Started | null>(null);
  lastStep = $state.raw<Step | null>(null);
  finished = $state.raw<Finished | null>(null);
  series = $state.raw<LiveSeries>(EMPTY);
  /** Set when Cancel was pressed, until the run ends. */
  cancelling = $state(false);

  constructor(readonly run: RunInfo) {
    this.status = run.status;
  }

  get runId(): RunId {
    return this.run.id;
  }

  /** True until the run reached a final status. */
  get active(): boolean {
    return this.status === 'queued' || this.status === 'running';
  }

  /** Applies one progress event of this run. */
  onProgress(p: TrainProgress): void {
    switch (p.type) {
      case 'started':
        this.started = p;
        break;
      case 'step': {
        this.lastStep = p;
        const s = this.series;
        this.series = {
          ...s,
          steps: [...s.steps, p.step],
          loss: [...s.loss, finite(p.losses.total)],
          clsLoss: [...s.clsLoss, finite(p.losses.classification)],
          nerLoss: [...s.nerLoss, finite(p.losses.ner)],
        };
        break;
      }
      case 'eval': {
        const s = this.series;
        this.series = {
          ...s,
          evalSteps: [...s.evalSteps, p.step],
          accuracy: [...s.accuracy, finite(p.metrics.classification?.accuracy)],
          macroF1: [...s.macroF1, finite(p.metrics.classification?.macroF1)],
          nerF1: [...s.nerF1, finite(p.metrics.ner?.f1)],
        };
        break;
      }
      case 'finished':
        this.finished = p;
        break;
      case 'error':
        this.error = p.message;
        break;
      case 'checkpoint':
        break;
    }
  }

  /** Applies a status change of this run. */
  onStatus(status: RunStatus, error?: string): void {
    this.status = status;
    if (error !== undefined) this.error = error;
    if (status !== 'running' && status !== 'queued') this.cancelling = false;
  }

  /**
   * Fills the charts from stored curves (a run that was already going when the screen opened). Points that
   * arrived live while the curves were loading are newer than the stored ones and are kept after them.
   */
  seed(curves: readonly CurveInfo[]): void {
    const get = (split: string, name: string): CurveInfo | undefined =>
      curves.find((c) => c.split === split && c.name === name);
    const loss = get('train', 'loss');
    const acc = get('dev', 'classification.accuracy');
    const ner = get('dev', 'ner.f1');
    const steps = loss?.steps ?? [];
    const evalSteps = (acc ?? ner)?.steps ?? [];
    const live = this.series;
    const lastStored = steps.at(-1) ?? 0;
    const lastEval = evalSteps.at(-1) ?? 0;
    const after = (xs: readonly number[], ys: readonly (number | null)[], from: number): (number | null)[] =>
      ys.filter((_, i) => xs[i]! > from);
    this.series = {
      steps: [...steps, ...live.steps.filter((s) => s > lastStored)],
      loss: [...(loss?.values ?? []), ...after(live.steps, live.loss, lastStored)],
      clsLoss: [
        ...valuesAt(steps, get('train', 'loss.classification')),
        ...after(live.steps, live.clsLoss, lastStored),
      ],
      nerLoss: [...valuesAt(steps, get('train', 'loss.ner')), ...after(live.steps, live.nerLoss, lastStored)],
      evalSteps: [...evalSteps, ...live.evalSteps.filter((s) => s > lastEval)],
      accuracy: [...valuesAt(evalSteps, acc), ...after(live.evalSteps, live.accuracy, lastEval)],
      macroF1: [
        ...valuesAt(evalSteps, get('dev', 'classification.macroF1')),
        ...after(live.evalSteps, live.macroF1, lastEval),
      ],
      nerF1: [...valuesAt(evalSteps, ner), ...after(live.evalSteps, live.nerF1, lastEval)],
    };
  }
}
