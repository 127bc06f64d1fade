// The trainer's hooks: what the step loop (trainer.ts) calls around its steps, as tfjs-layers' fit() calls
// its callbacks. Evaluation, early stopping and checkpoints are hooks; the loop itself only takes steps,
// keeps its position in the epoch plan and emits the started / step / eval / finished events.
import type { Stepper } from './stepper';
import type { EvalMetrics, TrainEvent } from './events';
import type { ResumeInfo } from './resume-state';
import type { TrainResult } from './types';

/** One scoring of the dev set, handed to every hook's onEvaluation. */
export interface Evaluation {
  readonly step: number;
  readonly epoch: number;
  readonly metrics: EvalMetrics;
  /** The selection metric (TrainerConfig.selectMetric resolved) and its value; NaN when the head is absent. */
  readonly metric: string;
  readonly value: number;
  /** A new best value of the selection metric; set by the early-stopping hook, read by later hooks. */
  isBest: boolean;
}

/** Where the loop stands, as hooks see it. */
export interface LoopState {
  /** The training session: optimizer steps so far, current weights, the full state for resume/. */
  readonly session: Stepper;
  /** The epoch being trained; in onEpochEnd, the epoch that has just ended. */
  readonly epoch: number;
  /** True once every batch of the epoch's plan has been taken (in onStepEnd: this step took the last). */
  readonly planDone: boolean;
  /**
   * Where a resumed run continues: the next batch to take. In onEpochEnd, already past the ended epoch when
   * its plan was done (the step budget can end an epoch early; then it stays on that epoch).
   */
  readonly resumeAt: { readonly epoch: number; readonly batchInEpoch: number };
  /** 'completed' until the loop stops otherwise; final in onTrainEnd. */
  readonly status: TrainResult['status'];
  /** Training seconds so far, including those before a resume. */
  seconds(): number;
  emit(event: TrainEvent): void;
  /** Runs every hook's onEvaluation (in hook order) on a fresh evaluation, then emits its 'eval' event. */
  evaluated(evaluation: Evaluation): Promise<void>;
}

/**
 * A hook: every method is optional. The loop calls one phase on all hooks in the order of its hook list,
 * [evaluation, early stopping, checkpoint], and the phases in this order:
 *
 *   onTrainBegin   once: the session state and position are restored from resume/; before 'started'
 *   per step       (after the 'step' event and the non-finite loss check)
 *     onStepEnd    evaluation every evalEverySteps (not on the plan's last batch: onEpochEnd evaluates)
 *     shouldStop   any true: stop as 'early-stopped'
 *   per epoch      (plan done, or the step budget spent)
 *     onEpochEnd   evaluation; then checkpoint writes resume/ at resumeAt
 *     shouldStop   any true: stop as 'early-stopped'
 *   onTrainEnd     once, whatever the status (not when a step or a hook threw); before metrics.json
 *
 *   onEvaluation   inside an evaluation (LoopState.evaluated): early stopping marks isBest, then the
 *                  checkpoint hook saves best/ and emits 'checkpoint'; the loop then emits 'eval'.
 */
export interface TrainerHook {
  onTrainBegin?(state: LoopState, resumed: ResumeInfo | undefined): void;
  onStepEnd?(state: LoopState): Promise<void> | void;
  onEpochEnd?(state: LoopState): Promise<void> | void;
  onEvaluation?(state: LoopState, evaluation: Evaluation): Promise<void> | void;
  shouldStop?(state: LoopState): boolean;
  onTrainEnd?(state: LoopState): Promise<void> | void;
}
