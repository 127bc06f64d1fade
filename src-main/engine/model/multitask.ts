import type { DType, Graph, Value } from '../onnx';
import { op } from '../onnx';
import type { BertDims } from './dims';
import { buildEncoder } from './encoder';
import { ModelConfigError } from './errors';
import { classificationHead, tokenClassificationHead } from './heads';
import type { DropoutFn, LinearFn } from './layers';
import { noDropout } from './layers';
import type { WeightedLoss } from './losses';
import { hasLabels, maskedCrossEntropy, uncertaintyWeightedSum, weightedCrossEntropy, weightedSum } from './losses';
import type { ParamValues } from './params';
import { param } from './params';
import type { PoolingMode } from './pooling';
import { pool } from './pooling';

/** The multi-task model: one encoder, a sentence head and a token (BIO) head; 0 labels = no head. */
export interface MultiTaskSpec {
  readonly dims: BertDims;
  readonly numClasses: number;
  readonly numNerLabels: number;
  readonly pooling: PoolingMode;
}

/** Graph input names shared by the training and inference graphs. */
export const BATCH_INPUTS = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  tokenTypeIds: 'token_type_ids',
  classLabels: 'class_labels',
  nerLabels: 'ner_labels',
  classMask: 'class_example_mask',
  nerMask: 'ner_example_mask',
  nerWeights: 'ner_token_weights',
} as const;

/** Trainable scalars s = log sigma^2 of uncertainty task weighting (training graphs only, never in best/). */
export const LOG_VAR_NAMES = {
  classification: 'loss.log_var.classification',
  ner: 'loss.log_var.ner',
} as const;

/** How the tasks' losses are combined: fixed weights, or learned ones (uncertaintyWeightedSum). */
export type TaskWeighting = 'fixed' | 'uncertainty';

/** Graph output names. */
export const MODEL_OUTPUTS = {
  classLogits: 'class_logits',
  tokenLogits: 'token_logits',
  sentenceEmbedding: 'sentence_embedding',
  tokenEmbeddings: 'token_embeddings',
  loss: 'loss',
  classLoss: 'loss.classification',
  nerLoss: 'loss.ner',
} as const;

export interface BatchInputOptions {
  /** float32 suits WebGPU (no int64 compares); int64 is what HF-style callers feed to exported models. */
  readonly maskDtype?: DType;
  readonly withTokenTypes?: boolean;
  /** Declare label inputs (class_labels [B], ner_labels [B, T], int32, -100 = ignore). */
  readonly withLabels?: boolean;
  /** Declare per-task example masks [B] float32 (1 = the example has labels for that task). */
  readonly withTaskMasks?: boolean;
  /** Declare ner_token_weights [B, T] float32: each NER label's weight in the loss (0 = ignore). */
  readonly withNerWeights?: boolean;
}

/** The batch as graph values. */
export interface BatchValues {
  readonly inputIds: Value;
  readonly attentionMask: Value;
  readonly tokenTypeIds?: Value;
  readonly classLabels?: Value;
  readonly nerLabels?: Value;
  readonly classMask?: Value;
  readonly nerMask?: Value;
  readonly nerWeights?: Value;
}

/** Declares the batch inputs with symbolic batch/seq dims. */
export function declareBatchInputs(g: Graph, spec: MultiTaskSpec, options: BatchInputOptions = {}): BatchValues {
  const bt = ['batch', 'seq'];
  const labels = options.withLabels ?? false;
  const masks = labels && (options.withTaskMasks ?? false);
  return {
    inputIds: g.input(BATCH_INPUTS.inputIds, 'int64', bt),
    attentionMask: g.input(BATCH_INPUTS.attentionMask, options.maskDtype ?? 'int64', bt),
    ...(options.withTokenTypes ? { tokenTypeIds: g.input(BATCH_INPUTS.tokenTypeIds, 'int64', bt) } : {}),
    ...(labels && spec.numClasses > 0 ? { classLabels: g.input(BATCH_INPUTS.classLabels, 'int32', ['batch']) } : {}),
    ...(labels && spec.numNerLabels > 0 ? { nerLabels: g.input(BATCH_INPUTS.nerLabels, 'int32', bt) } : {}),
    ...(masks && spec.numClasses > 0 ? { classMask: g.input(BATCH_INPUTS.classMask, 'float32', ['batch']) } : {}),
    ...(masks && spec.numNerLabels > 0 ? { nerMask: g.input(BATCH_INPUTS.nerMask, 'float32', ['batch']) } : {}),
    ...(labels && options.withNerWeights && spec.numNerLabels > 0
      ? { nerWeights: g.input(BATCH_INPUTS.nerWeights, 'float32', bt) }
      : {}),
  };
}

export interface ForwardOptions {
  readonly dropout?: DropoutFn;
  /** The encoder's dense layers (fp32 by default; int8Linear for quantized inference). Heads stay fp32. */
  readonly linear?: LinearFn;
  /** Per-task loss weights (default 1 each). */
  readonly lossWeights?: { readonly classification?: number; readonly ner?: number };
  /** 'uncertainty' reads the LOG_VAR_NAMES parameters of the tasks with labels from `params`. */
  readonly taskWeighting?: TaskWeighting;
}

export interface ForwardOutputs {
  /** [B, T, H] */
  readonly tokenEmbeddings: Value;
  /** [B, H] */
  readonly sentenceEmbedding: Value;
  /** [B, C] when the model has a classification head. */
  readonly classLogits?: Value;
  /** [B, T, L] when the model has a NER head. */
  readonly tokenLogits?: Value;
  /** Present when labels were given: the weighted multi-task loss and its parts. */
  readonly loss?: { readonly total: Value; readonly classification?: Value; readonly ner?: Value };
}

/** Encoder + pooling + heads (+ losses when the batch carries labels). */
export function buildMultiTaskForward(
  g: Graph,
  spec: MultiTaskSpec,
  params: ParamValues,
  batch: BatchValues,
  options: ForwardOptions = {},
): ForwardOutputs {
  checkTasks(spec);
  const dropout = options.dropout ?? noDropout;
  const enc = buildEncoder(g, spec.dims, params, batch, { dropout, ...(options.linear && { linear: options.linear }) });
  return buildHeadsForward(g, spec, params, enc, batch, options);
}

/** Labels (and per-task example masks) of a batch, as graph values: what the losses read. */
export type LabelValues = Pick<BatchValues, 'classLabels' | 'nerLabels' | 'classMask' | 'nerMask' | 'nerWeights'>;

/**
 * Pooling + heads (+ losses when `labels` has them) on the encoder's output: the part of the model above the
 * encoder. buildMultiTaskForward calls it on the encoder it builds; the feature-cache graphs on cached
 * last hidden states [B, T, H] with their float mask [B, T].
 */
export function buildHeadsForward(
  g: Graph,
  spec: MultiTaskSpec,
  params: ParamValues,
  enc: { readonly lastHiddenState: Value; readonly maskFloat: Value },
  labels: LabelValues,
  options: Pick<ForwardOptions, 'dropout' | 'lossWeights' | 'taskWeighting'> = {},
): ForwardOutputs {
  checkTasks(spec);
  const dropout = options.dropout ?? noDropout;
  const sentenceEmbedding = pool(g, enc.lastHiddenState, enc.maskFloat, spec.pooling);
  const classLogits =
    spec.numClasses > 0 ? classificationHead(g, params, sentenceEmbedding, spec.numClasses, dropout) : undefined;
  const tokenLogits =
    spec.numNerLabels > 0
      ? tokenClassificationHead(g, params, enc.lastHiddenState, spec.numNerLabels, dropout)
      : undefined;
  const base = { tokenEmbeddings: enc.lastHiddenState, sentenceEmbedding, classLogits, tokenLogits };
  if (!labels.classLabels && !labels.nerLabels) return base;

  return g.withScope('loss', () => {
    const parts: TaskLossPart[] = [];
    let classification: Value | undefined;
    let ner: Value | undefined;
    if (classLogits && labels.classLabels) {
      classification = maskedCrossEntropy(g, classLogits, labels.classLabels, labels.classMask);
      parts.push({
        task: 'classification',
        loss: classification,
        labels: labels.classLabels,
        rowMask: labels.classMask,
      });
    }
    if (tokenLogits && labels.nerLabels) {
      // Padding positions count as ignored even if a caller forgot to write -100 there.
      const tokenMask = labels.nerMask
        ? g.withScope('mask', () => rowTimesTokens(g, labels.nerMask!, enc.maskFloat))
        : enc.maskFloat;
      ner = labels.nerWeights
        ? weightedCrossEntropy(g, tokenLogits, labels.nerLabels, labels.nerWeights, tokenMask)
        : maskedCrossEntropy(g, tokenLogits, labels.nerLabels, tokenMask);
      parts.push({ task: 'ner', loss: ner, labels: labels.nerLabels, rowMask: tokenMask });
    }
    const total = combineLosses(g, parts, params, options);
    return { ...base, loss: { total, classification, ner } };
  });
}

function checkTasks(spec: MultiTaskSpec): void {
  if (spec.numClasses <= 0 && spec.numNerLabels <= 0) {
    throw new ModelConfigError('the model needs at least one task: set numClasses or numNerLabels above 0.');
  }
}

interface TaskLossPart {
  readonly task: 'classification' | 'ner';
  readonly loss: Value;
  readonly labels: Value;
  readonly rowMask: Value | undefined;
}

// Fixed weights: sum of weight * loss. Uncertainty: learned weights from the log-variance parameters.
function combineLosses(g: Graph, parts: readonly TaskLossPart[], params: ParamValues, options: ForwardOptions): Value {
  const weightOf = (task: TaskLossPart['task']): number => options.lossWeights?.[task] ?? 1;
  if ((options.taskWeighting ?? 'fixed') === 'fixed') {
    return weightedSum(
      g,
      parts.map((p): WeightedLoss => ({ loss: p.loss, weight: weightOf(p.task) })),
    );
  }
  return uncertaintyWeightedSum(
    g,
    parts.map((p) => ({
      loss: p.loss,
      weight: weightOf(p.task),
      logVar: param(params, LOG_VAR_NAMES[p.task], []),
      present: hasLabels(g, p.labels, p.rowMask, p.loss.dtype === 'float64' ? 'float64' : 'float32'),
    })),
  );
}

/** [B] example mask times [B, T] token mask. */
function rowTimesTokens(g: Graph, rowMask: Value, tokenMask: Value): Value {
  const rows = op.unsqueeze(g, op.cast(g, rowMask, tokenMask.dtype), [1]); // [B, 1]
  return op.mul(g, rows, tokenMask); // [B, T]
}
