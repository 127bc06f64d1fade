// Hook: scores the dev set with the forward-only session every `evalEverySteps` steps and at the end of each
// epoch, and keeps the history of evaluations for the result.
import type { HostTensor, Session } from '../runtime';
import { type TrainerConfig, TrainerConfigError } from './config';
import { evaluate, type EvalLabels } from './evaluate';
import type { EvalMetrics } from './events';
import type { TrainExample } from './example';
import type { LoopState, TrainerHook } from './hooks';
import { resolveSelectMetric, type SelectMetric, selectMetricValue } from './select-metric';

export interface EvaluationHookOptions {
  readonly session: Session;
  readonly dev: readonly TrainExample[];
  readonly labels: EvalLabels;
  readonly batchSize: number;
  readonly padId: number;
  /** Evaluate after every n-th optimizer step as well; 0: only at epoch ends. */
  readonly everySteps: number;
  /** The selection metric (selectMetricName). */
  readonly metric: SelectMetric;
  /** The run's cancel flag: evaluation stops between batches once it is set. */
  readonly cancelled: () => boolean;
  /** The eval graph's batch inputs when they are not ids (cached encoder features). */
  readonly feeds?: (batch: readonly TrainExample[]) => Record<string, HostTensor>;
}

export class EvaluationHook implements TrainerHook {
  readonly history: { step: number; epoch: number; metrics: EvalMetrics }[] = [];

  constructor(private readonly o: EvaluationHookOptions) {}

  async onStepEnd(state: LoopState): Promise<void> {
    const every = this.o.everySteps;
    if (every > 0 && state.session.step % every === 0 && !state.planDone) await this.run(state);
  }

  async onEpochEnd(state: LoopState): Promise<void> {
    await this.run(state);
  }

  private async run(state: LoopState): Promise<void> {
    const { o } = this;
    // The resident weights themselves (device tensors on a GPU, host views on the CPU): no copy.
    // Only the model's parameters: the training graph may train more (learned task weights).
    const inputs = new Set(o.session.inputs.map((i) => i.name));
    const params = Object.fromEntries(Object.entries(state.session.parameterFeeds()).filter(([n]) => inputs.has(n)));
    const { metrics } = await evaluate(o.session, params, o.dev, o.labels, o.batchSize, o.padId, o.cancelled, o.feeds);
    const step = state.session.step;
    this.history.push({ step, epoch: state.epoch, metrics });
    const value = selectMetricValue(metrics, o.metric);
    await state.evaluated({ step, epoch: state.epoch, metrics, metric: o.metric, value, isBest: false });
  }
}

/** The metric that picks the best checkpoint: the configured one, or `auto` resolved for the trained heads. */
export function selectMetricName(cfg: TrainerConfig, tasks: { classification: boolean; ner: boolean }): SelectMetric {
  const r = resolveSelectMetric(cfg.selectMetric, tasks);
  if (!r.ok) throw new TrainerConfigError(r.message);
  return r.metric;
}
