import { createHash } from 'node:crypto';
import type { TrainerConfig } from './config';
import type { TrainerData } from './types';

/**
 * What the trainer did before each later option existed. The resume key leaves an option out at this value
 * (older resume folders still match), and resuming a folder whose trainer-config.json lacks the option keeps
 * this value (settingsOfOlderRun).
 */
export const BEFORE_OPTION_EXISTED = {
  gradAccumulation: 1,
  bucketBatches: 50,
  nerBatching: 'examples',
  embeddingUpdates: 'dense',
  taskWeighting: 'fixed',
} as const satisfies Partial<TrainerConfig>;

/**
 * Options whose default changed after runs were written with the old one: resuming such a run with the option
 * left unset keeps the value its trainer-config.json records (settingsOfOlderRun), never the new default, so a
 * run cancelled before an update continues as it began.
 */
export const DEFAULT_CHANGED = ['embeddingUpdates'] as const satisfies readonly (keyof TrainerConfig)[];

/**
 * The resume key of a run: its config (options that do not change what is trained left out) and its training
 * data. Options added later are left out at their old value, so older resume folders still match.
 */
export function hashConfig(cfg: TrainerConfig, data: TrainerData): string {
  const h = createHash('sha256');
  const keyed: Record<string, unknown> = { ...cfg };
  for (const [option, oldValue] of Object.entries(BEFORE_OPTION_EXISTED)) {
    if (keyed[option] === oldValue) keyed[option] = undefined;
  }
  // The learned weights' step size only matters with learned weights.
  if (cfg.taskWeighting === 'fixed') keyed['taskWeightLr'] = undefined;
  // Where it runs and the feature cache change how, not what, is trained (resume/ holds the full model).
  h.update(JSON.stringify({ ...keyed, threads: undefined, device: undefined, featureCache: undefined }));
  h.update(
    JSON.stringify({ cls: data.classLabels, ner: data.nerTags, train: data.train.length, dev: data.dev.length }),
  );
  for (const e of data.train) {
    const weights = e.nerWeights ? `|${e.nerWeights.join(',')}` : '';
    h.update(`${e.ids.join(',')}|${e.classLabel}|${e.nerLabels?.join(',') ?? ''}${weights}\n`);
  }
  return h.digest('hex').slice(0, 16);
}
