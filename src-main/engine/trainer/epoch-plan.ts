import { planEpochBatches } from './batching';
import type { TrainExample } from './example';
import { IGNORE } from './example';
import type { TaskSampling } from './task-sampler';
import { interleaveTasks } from './task-sampler';

type Group = 'classification' | 'ner';

export interface EpochPlanOptions {
  readonly batchSize: number;
  /** Batches per length-sorted bucket (1 = no bucketing); see BatchPlanOptions. */
  readonly bucketBatches?: number;
  /** NER-only examples batched by labelled tokens or by count (see TrainerConfig.nerBatching). */
  readonly nerBatching?: 'tokens' | 'examples';
  readonly seed: number;
  readonly taskSampling: TaskSampling;
}

/**
 * The trainer's batches for one epoch, as example indices. Examples with a class label train both heads when
 * they also carry NER labels; NER-only ones form their own group (seed + 7), so that task sampling can mix two
 * datasets. Deterministic in (seed, epoch): resume rebuilds the same plan, and benchmarks replay it.
 */
export function planTrainingEpoch(
  train: readonly TrainExample[],
  options: EpochPlanOptions,
  epoch: number,
): number[][] {
  const groups: Record<Group, number[]> = { classification: [], ner: [] };
  train.forEach((e, i) => (e.classLabel !== IGNORE ? groups.classification : groups.ner).push(i));
  const plans = {} as Record<Group, number[][]>;
  for (const g of ['classification', 'ner'] as const) {
    const idx = groups[g];
    const local = planEpochBatches(
      idx.map((i) => train[i]!.ids.length),
      {
        batchSize: options.batchSize,
        bucketBatches: options.bucketBatches,
        shuffle: true,
        seed: options.seed + (g === 'ner' ? 7 : 0),
        epoch,
        weights:
          g === 'ner' && options.nerBatching === 'tokens' ? idx.map((i) => labelledTokens(train[i]!)) : undefined,
      },
    );
    plans[g] = local.map((b) => b.map((j) => idx[j]!));
  }
  const order = interleaveTasks(
    { classification: plans.classification.length, ner: plans.ner.length },
    options.taskSampling,
    options.seed,
    epoch,
  );
  return order.map(({ task, index }) => plans[task][index]!);
}

/** Positions of an example that carry an NER label (first sub-words of words). */
function labelledTokens(e: TrainExample): number {
  let n = 0;
  for (const t of e.nerLabels ?? []) if (t !== IGNORE) n++;
  return n;
}
