// Hook: tracks the best value of the selection metric (which evaluation is best) and stops the run when
// `patience` evaluations in a row did not improve it (TrainerConfig.patience; 0 never stops).
import { EarlyStopping } from './early-stopping';
import type { EvalMetrics } from './events';
import type { Evaluation, LoopState, TrainerHook } from './hooks';
import type { ResumeInfo } from './resume-state';
import type { TrainResult } from './types';

export class EarlyStoppingHook implements TrainerHook {
  private readonly tracker: EarlyStopping;
  private bestMetrics: EvalMetrics | undefined;

  constructor(metric: string, patience: number) {
    this.tracker = new EarlyStopping(metric, 'max', patience);
  }

  onTrainBegin(_state: LoopState, resumed: ResumeInfo | undefined): void {
    if (resumed) this.tracker.restore(resumed.earlyStopping);
  }

  onEvaluation(_state: LoopState, evaluation: Evaluation): void {
    evaluation.isBest = this.tracker.update(evaluation.value, evaluation.step);
    if (evaluation.isBest) this.bestMetrics = evaluation.metrics;
  }

  shouldStop(): boolean {
    return this.tracker.shouldStop;
  }

  /** What resume/ keeps of the tracker. */
  state(): ResumeInfo['earlyStopping'] {
    return this.tracker.state();
  }

  /** The result's best entry (the best metrics are those seen in this process, not before a resume). */
  best(): TrainResult['best'] {
    const best = this.tracker.best;
    return {
      metric: this.tracker.metric,
      ...best,
      value: best.value ?? null,
      ...(this.bestMetrics && { metrics: this.bestMetrics }),
    };
  }
}
