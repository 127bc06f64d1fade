/** The trainer's own step graph for a bench batch file, so every bench times what `train()` runs. */
import { buildModelTrainingGraph, type EmbeddingUpdates, type FreezePreset } from '../../src-main/engine/model';
import { DEFAULT_ADAMW } from '../../src-main/engine/optim';
import { loadTrainerModel, parseTrainerConfig, type TrainExample } from '../../src-main/engine/trainer';
import type { BatchFile } from './prepare';

/**
 * The model of `spec` and its training-step graph under the trainer's defaults for `preset` (the recipe's
 * dropout and clipping) with the asked embedding updates, and the batch file's examples and first-epoch batches, with the config and AdamW settings the session needs.
 */
export function trainerStepGraph(
  spec: BatchFile,
  preset: FreezePreset,
  o: { readonly threads: number; readonly seed: number; readonly embeddingUpdates: EmbeddingUpdates },
) {
  const cfg = parseTrainerConfig({
    freeze: { preset },
    threads: o.threads,
    seed: o.seed,
    embeddingUpdates: o.embeddingUpdates,
  });
  const model = loadTrainerModel(spec.model, spec.classLabels, spec.nerTags, o.seed);
  const adamw = { ...DEFAULT_ADAMW, weightDecay: cfg.weightDecay };
  const tg = buildModelTrainingGraph({
    model: {
      dims: model.config.dims,
      numClasses: spec.numClasses,
      numNerLabels: spec.nerTags.length,
      pooling: cfg.pooling,
    },
    freeze: cfg.freeze,
    adamw,
    clipNorm: cfg.clipNorm,
    dropout: cfg.dropout,
    lossWeights: cfg.lossWeights,
    embeddingUpdates: cfg.embeddingUpdates,
  });
  const examples: TrainExample[] = spec.train.map((e) => ({
    ids: e.ids,
    classLabel: e.cls,
    ...(e.ner && { nerLabels: e.ner }),
  }));
  const tasks = { classification: spec.numClasses > 0, ner: spec.nerTags.length > 0 };
  return { cfg, model, adamw, tg, examples, tasks, batches: spec.epochs[0]! };
}
