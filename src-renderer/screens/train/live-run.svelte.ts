/** One training followed live: the step and eval events of a run turned into chart columns and counters. */
import type { CurveInfo, RunId, RunInfo, RunStatus, TrainProgress } from '../../../src-preload/contract';
import { EMPTY_SERIES, mergeSeries, seriesFromCurves, type LiveSeries } from './live-series';

type Started = Extract<TrainProgress, { type: 'started' }>;
type Step = Extract<TrainProgress, { type: 'step' }>;
type Finished = Extract<TrainProgress, { type: 'finished' }>;

const finite = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);

export class LiveRun {
  status = $state<RunStatus>('queued');
  error = $state<string | null>(null);
  started = $state.raw<Started | null>(null);
  lastStep = $state.raw<Step | null>(null);
  finished = $state.raw<Finished | null>(null);
  series = $state.raw<LiveSeries>(EMPTY_SERIES);
  /** What the run said along the way (the frozen encoder's feature cache: computed, reused, not used). */
  messages = $state.raw<readonly { level: 'info' | 'warning'; message: string }[]>([]);
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
      case 'message':
        this.messages = [...this.messages, { level: p.level, message: p.message }];
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

  /** Fills the charts from stored curves (a run already going when the screen opened), keeping newer live points. */
  seed(curves: readonly CurveInfo[]): void {
    this.series = mergeSeries(seriesFromCurves(curves), this.series);
  }
}
