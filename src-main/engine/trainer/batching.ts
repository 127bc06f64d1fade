import { Rng } from '../random';

export interface BatchPlanOptions {
  readonly batchSize: number;
  /** Batches are formed inside buckets of this many batches sorted by length, so padding stays small. */
  readonly bucketBatches?: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly epoch: number;
}

/**
 * Length-bucketed batches of example indices for one epoch: shuffle, cut into buckets, sort each bucket by
 * length, cut into batches, shuffle the batch order. Deterministic in (seed, epoch), so a resumed run can
 * rebuild the same plan and skip the batches already done.
 */
export function planEpochBatches(lengths: readonly number[], options: BatchPlanOptions): number[][] {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new Error(`batchSize must be a positive integer, got ${options.batchSize}.`);
  }
  const rng = Rng.fromSeed(options.seed * 1000003 + options.epoch);
  const order = lengths.map((_, i) => i);
  if (options.shuffle) rng.shuffle(order);
  const bucketBatches = options.bucketBatches ?? 50;
  const bucketSize = options.batchSize * bucketBatches;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += bucketSize) {
    const bucket = order.slice(start, start + bucketSize);
    // One batch per bucket is no bucketing: the batch keeps the shuffled order.
    if (bucketBatches > 1) bucket.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    for (let i = 0; i < bucket.length; i += options.batchSize) batches.push(bucket.slice(i, i + options.batchSize));
  }
  if (options.shuffle) rng.shuffle(batches);
  return batches;
}
