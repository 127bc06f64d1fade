import { createHash } from 'node:crypto';
import type { TrainerConfig } from './config';
import type { TrainerData } from './types';

/**
 * The resume key of a run: its config (options that do not change what is trained left out) and its training
 * data. Options added later are left out at their old value, so older resume folders still match.
 */
export function hashConfig(cfg: TrainerConfig, data: TrainerData): string {
  const h = createHash('sha256');
  // k = 1 leaves the field out, so resume folders written before gradAccumulation existed still match.
  const k = cfg.gradAccumulation === 1 ? undefined : cfg.gradAccumulation;
  // Likewise the default bucketing, which predates its option.
  const bucketBatches = cfg.bucketBatches === 50 ? undefined : cfg.bucketBatches;
  const nerBatching = cfg.nerBatching === 'examples' ? undefined : cfg.nerBatching;
  // Dense updates predate the option: runs that make them keep their hash.
  const embeddingUpdates = cfg.embeddingUpdates === 'dense' ? undefined : cfg.embeddingUpdates;
  // Fixed weighting predates taskWeighting: leave both fields out then, so older resume folders still match.
  const fixed = cfg.taskWeighting === 'fixed';
  const taskWeighting = fixed ? undefined : cfg.taskWeighting;
  const taskWeightLr = fixed ? undefined : cfg.taskWeightLr;
  h.update(
    // The feature cache changes how, not what, is trained (resume/ holds the full model either way).
    JSON.stringify({
      ...cfg,
      gradAccumulation: k,
      bucketBatches,
      nerBatching,
      embeddingUpdates,
      taskWeighting,
      taskWeightLr,
      threads: undefined,
      device: undefined,
      featureCache: undefined,
    }),
  );
  h.update(
    JSON.stringify({ cls: data.classLabels, ner: data.nerTags, train: data.train.length, dev: data.dev.length }),
  );
  for (const e of data.train) {
    const weights = e.nerWeights ? `|${e.nerWeights.join(',')}` : '';
    h.update(`${e.ids.join(',')}|${e.classLabel}|${e.nerLabels?.join(',') ?? ''}${weights}\n`);
  }
  return h.digest('hex').slice(0, 16);
}
