import { Rng } from '../random';

export interface BatchPlanOptions {
  readonly batchSize: number;
  /** Batches are formed inside buckets of this many batches sorted by length, so padding stays small. */
  readonly bucketBatches?: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly epoch: number;
  /**
   * Per-example weights (e.g. labelled tokens). When given, a batch is closed once its weight reaches
   * batchSize * mean weight instead of at batchSize examples, so every batch carries about the same number
   * of labelled tokens (at most 4 * batchSize examples). Why: a loss averaged over a batch's tokens gives
   * each token of a batch of short sentences many times the weight of a token in a long-sentence batch;
   * length bucketing makes such batches common (CoNLL: 86 to 1,174 words per batch of 32), shuffled
   * batches do not (354 to 582).
   */
  readonly weights?: readonly number[];
}

/** Cuts one length-sorted bucket into batches of `batchSize` examples, or by weight when weights are given. */
function cutBucket(bucket: readonly number[], options: BatchPlanOptions, budget: number): number[][] {
  const out: number[][] = [];
  const { weights, batchSize } = options;
  if (!weights) {
    for (let i = 0; i < bucket.length; i += batchSize) out.push(bucket.slice(i, i + batchSize));
    return out;
  }
  let batch: number[] = [];
  let weight = 0;
  for (const i of bucket) {
    batch.push(i);
    weight += weights[i]!;
    if (weight >= budget || batch.length >= 4 * batchSize) {
      out.push(batch);
      batch = [];
      weight = 0;
    }
  }
  // A small remainder joins the bucket's last batch (its neighbours in length), not a light batch of its own.
  const last = out.at(-1);
  if (last && weight < budget / 2 && last.length + batch.length <= 4 * batchSize) last.push(...batch);
  else if (batch.length) out.push(batch);
  return out;
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
  if (options.weights && options.weights.length !== lengths.length) {
    throw new Error(
      `weights has ${options.weights.length} entries for ${lengths.length} examples; give one per example.`,
    );
  }
  const bucketBatches = options.bucketBatches ?? 50;
  const meanWeight = options.weights ? options.weights.reduce((a, w) => a + w, 0) / Math.max(1, lengths.length) : 0;
  const budget = Math.max(1, options.batchSize * meanWeight);
  const bucketSize = options.batchSize * bucketBatches;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += bucketSize) {
    const bucket = order.slice(start, start + bucketSize);
    // One batch per bucket is no bucketing: the batch keeps the shuffled order.
    if (bucketBatches > 1) bucket.sort((a, b) => lengths[a]! - lengths[b]! || a - b);
    batches.push(...cutBucket(bucket, options, budget));
  }
  if (options.shuffle) rng.shuffle(batches);
  return batches;
}
