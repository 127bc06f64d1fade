import type { GatherGradient } from '../autodiff';
import { applyDropout } from '../dropout';
import type { Graph, Value } from '../onnx';
import type { AdamWConfig } from '../optim';
import { DEFAULT_ADAMW } from '../optim';
import type {
  AccumulationGraphs,
  EvalGraph,
  TrainableSpec,
  TrainingGraph,
  TrainingDType,
  TrainingGraphSpec,
} from '../step-graph';
import { buildAccumulationGraphs, buildEvalGraph, buildTrainingGraph } from '../step-graph';
import type { FreezeConfig, ParamPartition } from './freeze';
import { freezeMore, partitionParams } from './freeze';
import type { DropoutFn, DropoutSite } from './layers';
import { FreezePresetError } from './errors';
import { declareFeatureInputs, FEATURE_DTYPE, type FeatureDType } from './features';
import type { ForwardOptions, ForwardOutputs, MultiTaskSpec, TaskWeighting } from './multitask';
import {
  buildHeadsForward,
  buildMultiTaskForward,
  declareBatchInputs,
  LOG_VAR_NAMES,
  MODEL_OUTPUTS,
} from './multitask';
import { countParams } from './param-store';
import { EMBEDDING_NAMES, encoderParamSpecs, HEAD_NAMES, headParamSpecs } from './param-names';

/** Dropout probabilities by site kind (BERT config's hidden/attention dropout; the heads' own rate). */
export interface DropoutRates {
  readonly hidden: number;
  readonly attention: number;
  readonly head: number;
}

/** BERT's config.json defaults and the project recipe's 0.1 on both heads. */
export const DEFAULT_DROPOUT: DropoutRates = { hidden: 0.1, attention: 0.1, head: 0.1 };

export interface ModelTrainingSpec {
  readonly model: MultiTaskSpec;
  readonly freeze: FreezeConfig;
  readonly adamw?: AdamWConfig;
  /** Global gradient-norm clip (1.0 in the recipe); null disables it. */
  readonly clipNorm: number | null;
  readonly dropout?: DropoutRates;
  readonly lossWeights?: ForwardOptions['lossWeights'];
  /**
   * 'uncertainty' adds a trainable log-variance per task (LOG_VAR_NAMES; no weight decay) and combines the
   * losses as uncertaintyWeightedSum; 'fixed' (default) is the weighted sum.
   */
  readonly taskWeighting?: TaskWeighting;
  /** The log-variances' step size as a multiple of the lr (the encoder's lr would barely move them). */
  readonly logVarLrScale?: number;
  /** Per-token NER loss weights [B, T] as an input (ner_token_weights; e.g. silver confidence). */
  readonly withNerWeights?: boolean;
  /** Per-task example masks [B] as inputs, besides -100 labels. */
  readonly withTaskMasks?: boolean;
  readonly withTokenTypes?: boolean;
  /** Also output class/token logits (for running train accuracy); loss parts are always output. */
  readonly withLogits?: boolean;
  readonly dtype?: TrainingDType;
  /**
   * Where dropout masks come from: 'host' (default: drawn on the host and fed, fastest on the CPU EP) or
   * 'generated' (hashed inside the graph from 2 int32 seeds per site, so a GPU step uploads no masks).
   */
  readonly dropoutMasks?: 'host' | 'generated';
  /**
   * How gradients reach the embedding tables: 'scatter' (default: ScatterND add) or 'one-hot' (for DirectML,
   * which has no scatter with reduction; small tables only: freeze the word table with it).
   */
  readonly embeddingGradient?: GatherGradient;
  /** Keeps the word-embedding table fixed; positions, token types and the embedding LayerNorm still train. */
  readonly freezeWordEmbeddings?: boolean;
  /**
   * How the word-embedding table is updated when it trains: 'dense' (default: AdamW on every row, as PyTorch)
   * or 'lazy' (LazyAdam: only the rows of the batch's ids; step-graph/README.md). Single-step graphs only.
   */
  readonly embeddingUpdates?: EmbeddingUpdates;
  /**
   * What the graph reads: 'ids' (default: the whole model) or 'features' (a frozen encoder's cached last
   * hidden states [B, T, H] float16 in place of input_ids: the graph holds only the heads, see features.ts).
   * 'features' refuses a freeze setting that trains any encoder parameter.
   */
  readonly input?: 'ids' | 'features';
  /** The fed features' dtype with input 'features' (default float16, as the cache stores them). */
  readonly featureDType?: FeatureDType;
}

/** Word-embedding updates: every row ('dense') or the batch's rows only ('lazy'). */
export type EmbeddingUpdates = 'lazy' | 'dense';

export interface ModelTrainingGraph extends TrainingGraph {
  readonly partition: ParamPartition;
}

/** Stable site names: they key the dropout random streams, so keep them across versions (resume). */
export function dropoutSiteName(site: DropoutSite): string {
  switch (site.kind) {
    case 'embeddings':
      return 'emb';
    case 'attention-probs':
      return `l${site.layer}.attn_probs`;
    case 'attention-output':
      return `l${site.layer}.attn_out`;
    case 'ffn-output':
      return `l${site.layer}.ffn_out`;
    case 'head':
      return site.task === 'classification' ? 'head.cls' : 'head.ner';
  }
}

/** Maps the model's dropout sites to dropout with the configured rates (bool host masks, or generated). */
export function dropoutFor(rates: DropoutRates, masks: 'host' | 'generated' = 'host'): DropoutFn {
  return (g: Graph, x: Value, site: DropoutSite): Value => {
    const rate = site.kind === 'attention-probs' ? rates.attention : site.kind === 'head' ? rates.head : rates.hidden;
    // Bool masks: a quarter of the memory of float ones (the [B, 12, T, T] attention masks dominate); at
    // B32 x T128 the peak RSS of a heads-only step fell from 673 to 534 MiB, full from 2414 to 2330 MiB.
    return applyDropout(g, x, dropoutSiteName(site), rate, { mask: masks === 'generated' ? 'generated' : 'bool' });
  };
}

/**
 * One training step for the multi-task model: forward (encoder, pooling, heads, masked losses) ->
 * gradients for the preset's trainable parameters only -> clipping -> AdamW. Batch inputs: input_ids
 * [B, T] int64, attention_mask [B, T] float32, class_labels [B] and ner_labels [B, T] int32 (-100 = ignore).
 */
export function buildModelTrainingGraph(spec: ModelTrainingSpec): ModelTrainingGraph {
  const { graphSpec, partition } = modelGraphSpec(spec);
  return { ...buildTrainingGraph(graphSpec), partition };
}

export interface ModelAccumulationGraphs extends AccumulationGraphs {
  readonly partition: ParamPartition;
}

/**
 * The same step split for gradient accumulation (buildAccumulationGraphs): a gradient graph run once per
 * micro-batch and an update graph run once per optimizer step. Same inputs, outputs and dropout sites.
 */
export function buildModelAccumulationGraphs(spec: ModelTrainingSpec): ModelAccumulationGraphs {
  const { graphSpec, partition } = modelGraphSpec(spec);
  return { ...buildAccumulationGraphs(graphSpec), partition };
}

function modelGraphSpec(spec: ModelTrainingSpec): {
  readonly graphSpec: TrainingGraphSpec;
  readonly partition: ParamPartition;
} {
  const { model } = spec;
  const features = spec.input === 'features';
  const partition = features ? headsPartition(trainingSpecPartition(spec)) : trainingSpecPartition(spec);
  const rates = spec.dropout ?? DEFAULT_DROPOUT;
  const graphSpec: TrainingGraphSpec = {
    name: 'multitask_train_step',
    trainable: [...partition.trainable.map((p) => ({ ...p, decay: p.shape.length >= 2 })), ...logVarSpecs(spec)],
    frozen: partition.frozen,
    adamw: spec.adamw ?? DEFAULT_ADAMW,
    clipNorm: spec.clipNorm,
    dtype: spec.dtype ?? 'float32',
    embeddingGradient: spec.embeddingGradient ?? 'scatter',
    ...(lazyWordTable(spec, partition) && { lazyRows: [EMBEDDING_NAMES.word] }),
    forward: (g, params) => {
      const options = {
        dropout: dropoutFor(rates, spec.dropoutMasks),
        lossWeights: spec.lossWeights,
        taskWeighting: spec.taskWeighting ?? 'fixed',
      };
      let out: ForwardOutputs;
      if (features) {
        const inputs = declareFeatureInputs(g, model, { withLabels: true, dtype: spec.featureDType ?? FEATURE_DTYPE });
        out = buildHeadsForward(g, model, params, inputs, inputs.labels, options);
      } else {
        const batch = declareBatchInputs(g, model, {
          maskDtype: 'float32',
          withLabels: true,
          withTaskMasks: spec.withTaskMasks ?? false,
          withTokenTypes: spec.withTokenTypes ?? false,
          withNerWeights: spec.withNerWeights ?? false,
        });
        out = buildMultiTaskForward(g, model, params, batch, options);
      }
      const outputs: Record<string, Value> = {};
      if (out.loss!.classification) outputs[MODEL_OUTPUTS.classLoss] = out.loss!.classification;
      if (out.loss!.ner) outputs[MODEL_OUTPUTS.nerLoss] = out.loss!.ner;
      if (spec.withLogits && out.classLogits) outputs[MODEL_OUTPUTS.classLogits] = out.classLogits;
      if (spec.withLogits && out.tokenLogits) outputs[MODEL_OUTPUTS.tokenLogits] = out.tokenLogits;
      return { loss: out.loss!.total, outputs };
    },
  };
  return { graphSpec, partition };
}

/** True when the graph of `spec` updates the word-embedding table lazily (asked for, and the table trains). */
export function lazyEmbeddingUpdates(spec: ModelTrainingSpec): boolean {
  return lazyWordTable(spec, trainingSpecPartition(spec));
}

// Lazy updates apply when asked for and the word table trains (frozen, it has no update at all).
function lazyWordTable(spec: ModelTrainingSpec, partition: ParamPartition): boolean {
  return spec.embeddingUpdates === 'lazy' && partition.trainable.some((p) => p.name === EMBEDDING_NAMES.word);
}

/**
 * The learned task weights' parameters of a spec (uncertainty weighting): one scalar log-variance per task
 * that has a head and a non-zero loss weight, never decayed, stepping at logVarLrScale x the lr. Empty for
 * fixed weighting. Their initial value is 0 (weight exp(-0) = 1, the fixed default).
 */
export function logVarSpecs(
  spec: Pick<ModelTrainingSpec, 'model' | 'lossWeights' | 'taskWeighting' | 'logVarLrScale'>,
): TrainableSpec[] {
  if ((spec.taskWeighting ?? 'fixed') !== 'uncertainty') return [];
  const tasks = [
    ...(spec.model.numClasses > 0 && spec.lossWeights?.classification !== 0 ? (['classification'] as const) : []),
    ...(spec.model.numNerLabels > 0 && spec.lossWeights?.ner !== 0 ? (['ner'] as const) : []),
  ];
  const lrScale = spec.logVarLrScale ?? 1;
  return tasks.map((t) => ({ name: LOG_VAR_NAMES[t], shape: [], decay: false, ...(lrScale !== 1 && { lrScale }) }));
}

/**
 * The parameters a training graph will update: the freeze preset's partition, with the head of any task
 * whose loss weight is 0 frozen too (it would get no gradient). Plans and UIs count from this.
 */
export function trainingPartition(
  model: MultiTaskSpec,
  freeze: FreezeConfig,
  lossWeights?: ModelTrainingSpec['lossWeights'],
): ParamPartition {
  return freezeUnweightedHeads(partitionParams(model.dims, model, freeze), lossWeights);
}

/** The parameters the graph of `spec` updates: trainingPartition, less the word table if it is frozen. */
export function trainingSpecPartition(spec: ModelTrainingSpec): ParamPartition {
  const partition = trainingPartition(spec.model, spec.freeze, spec.lossWeights);
  return spec.freezeWordEmbeddings
    ? freezeMore(partition, new Set([EMBEDDING_NAMES.word]), 'the word-embedding table is frozen')
    : partition;
}

/**
 * The heads' share of a partition, for a graph that reads cached features (the encoder is not in it). Throws
 * FreezePresetError when an encoder parameter would train: its features could not be cached.
 */
export function headsPartition(partition: ParamPartition): ParamPartition {
  const encoder = partition.trainable.filter((p) => !isHeadParam(p.name));
  if (encoder.length > 0) {
    throw new FreezePresetError(
      `cached encoder features need a frozen encoder, but '${encoder[0]!.name}' trains; use preset heads-only (or freeze the embeddings and every layer), or turn the feature cache off.`,
    );
  }
  const trainable = partition.trainable;
  const frozen = partition.frozen.filter((p) => isHeadParam(p.name));
  return { trainable, frozen, trainableCount: countParams(trainable), frozenCount: countParams(frozen) };
}

/** True when no encoder parameter trains under `partition`: the encoder's outputs can be computed once. */
export function encoderFrozen(partition: ParamPartition): boolean {
  return partition.trainable.every((p) => isHeadParam(p.name));
}

function isHeadParam(name: string): boolean {
  return Object.values(HEAD_NAMES).some((h) => h.weight === name || h.bias === name);
}

function freezeUnweightedHeads(partition: ParamPartition, weights: ModelTrainingSpec['lossWeights']): ParamPartition {
  const names = new Set<string>();
  if (weights?.classification === 0) names.add(HEAD_NAMES.classification.weight).add(HEAD_NAMES.classification.bias);
  if (weights?.ner === 0) names.add(HEAD_NAMES.ner.weight).add(HEAD_NAMES.ner.bias);
  return names.size === 0
    ? partition
    : freezeMore(partition, names, 'the heads of tasks with loss weight 0 are frozen');
}

/**
 * Forward-only graph with parameters as inputs (evaluation during training: feed the current weights, no
 * rebuild). Outputs class_logits, token_logits, sentence_embedding; no dropout.
 */
export function buildModelEvalGraph(
  model: MultiTaskSpec,
  options: {
    readonly dtype?: TrainingDType;
    readonly input?: 'ids' | 'features';
    readonly featureDType?: FeatureDType;
  } = {},
): EvalGraph {
  const features = options.input === 'features';
  const heads = headParamSpecs(model.dims.hiddenSize, model.numClasses, model.numNerLabels);
  return buildEvalGraph({
    name: 'multitask_eval',
    params: features ? heads : [...encoderParamSpecs(model.dims), ...heads],
    dtype: options.dtype ?? 'float32',
    forward: (g, params) => {
      let out: ForwardOutputs;
      if (features) {
        const inputs = declareFeatureInputs(g, model, { dtype: options.featureDType ?? FEATURE_DTYPE });
        out = buildHeadsForward(g, model, params, inputs, inputs.labels);
      } else {
        out = buildMultiTaskForward(g, model, params, declareBatchInputs(g, model, { maskDtype: 'float32' }));
      }
      const outputs: Record<string, Value> = { [MODEL_OUTPUTS.sentenceEmbedding]: out.sentenceEmbedding };
      if (out.classLogits) outputs[MODEL_OUTPUTS.classLogits] = out.classLogits;
      if (out.tokenLogits) outputs[MODEL_OUTPUTS.tokenLogits] = out.tokenLogits;
      return outputs;
    },
  });
}
