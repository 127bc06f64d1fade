import { type Graph, type Value, describeValue, op, typedArrayFrom } from '../onnx';
import { logSoftmax, softmaxCrossEntropy } from '../autodiff';
import { ModelConfigError } from './errors';

/** Label value that contributes no loss (Hugging Face / PyTorch convention). */
export const IGNORE_INDEX = -100;

/**
 * Mean softmax cross-entropy of logits [..., C] against integer labels [...] (int32 or int64) over the rows
 * whose label is a class id, and 0 (not NaN) when none is: -100 rows, and rows where `rowMask` [...] is 0
 * (an example without labels for this task), add nothing to the sum or the count. The row mask is folded
 * into the labels (masked rows become -100), so the loss itself is autodiff's softmaxCrossEntropy.
 */
export function maskedCrossEntropy(g: Graph, logits: Value, labels: Value, rowMask?: Value): Value {
  return softmaxCrossEntropy(g, logits, effectiveLabels(g, logits, labels, rowMask), { ignoreIndex: IGNORE_INDEX });
}

// Checks labels against logits and folds the row mask into them (masked rows become -100).
function effectiveLabels(g: Graph, logits: Value, labels: Value, rowMask?: Value): Value {
  if (labels.dtype !== 'int32' && labels.dtype !== 'int64') {
    throw new ModelConfigError(
      `cross-entropy: labels ${describeValue(labels)} must be int32 or int64 class ids (-100 = ignore).`,
    );
  }
  if (logits.shape.length !== labels.shape.length + 1) {
    throw new ModelConfigError(
      `cross-entropy: labels ${describeValue(labels)} must have the logits' shape without the class axis, got logits ${describeValue(logits)}.`,
    );
  }
  return rowMask ? foldRowMask(g, labels, rowMask) : labels;
}

function foldRowMask(g: Graph, labels: Value, rowMask: Value): Value {
  const keep = op.greater(g, op.cast(g, rowMask, 'float32'), g.scalar(0, 'float32')); // [...]
  return op.where(g, keep, labels, g.scalar(IGNORE_INDEX, labels.dtype));
}
/** One task's part of the multi-task loss. */
export interface WeightedLoss {
  readonly loss: Value;
  readonly weight: number;
}

/** Sum of weight * loss over tasks (weights are build-time constants; a weight of 0 drops the task). */
export function weightedSum(g: Graph, parts: readonly WeightedLoss[]): Value {
  const used = parts.filter((p) => p.weight !== 0);
  if (used.length === 0) {
    throw new ModelConfigError(
      'multi-task loss: every task weight is 0, so nothing would train; give a task a weight > 0.',
    );
  }
  const terms = used.map((p) => (p.weight === 1 ? p.loss : op.mulScalar(g, p.loss, p.weight)));
  return terms.slice(1).reduce((acc, t) => op.add(g, acc, t), terms[0]!);
}

/**
 * Weighted mean cross-entropy: sum(w_i nll_i) / sum(w_i) over labelled elements, where w_i is `weights` [...]
 * (float, >= 0; e.g. a silver label's confidence, 0 = ignore) and -100 / rowMask-0 elements weigh 0; 0, not
 * NaN, when every weight is 0. With all weights 1 it equals maskedCrossEntropy.
 */
export function weightedCrossEntropy(g: Graph, logits: Value, labels: Value, weights: Value, rowMask?: Value): Value {
  const effective = effectiveLabels(g, logits, labels, rowMask);
  if (weights.shape.length !== labels.shape.length) {
    throw new ModelConfigError(
      `weighted cross-entropy: weights ${describeValue(weights)} must have the labels' shape ${describeValue(labels)}.`,
    );
  }
  const c = logits.shape[logits.shape.length - 1];
  if (typeof c !== 'number') {
    throw new ModelConfigError(`weighted cross-entropy: the class dim of ${describeValue(logits)} must be static.`);
  }
  return g.withScope('weighted_cross_entropy', () => {
    const dtype = logits.dtype;
    const logp = logSoftmax(g, logits, -1); // [..., C]
    const classes = g.constant(
      { dtype: effective.dtype, dims: [c], data: typedArrayFrom(effective.dtype, [...Array(c).keys()]) },
      'classes',
    );
    // Zero rows for -100 and out-of-range labels, as in softmaxCrossEntropy.
    const onehot = op.cast(g, op.equal(g, op.unsqueeze(g, effective, [-1]), classes), dtype); // [..., C]
    const nll = op.neg(g, op.reduceSum(g, op.mul(g, onehot, logp), [-1], false)); // [...]
    const w = op.mul(g, op.reduceSum(g, onehot, [-1], false), op.cast(g, weights, dtype)); // [...]
    const all = [...Array(effective.shape.length).keys()];
    const numerator = op.reduceSum(g, op.mul(g, w, nll), all, false);
    const denominator = op.reduceSum(g, w, all, false);
    const safe = op.where(g, op.greater(g, denominator, g.scalar(0, dtype)), denominator, g.scalar(1, dtype));
    return op.div(g, numerator, safe);
  });
}

/**
 * 1 when any element of `labels` [...] (after the row mask) is a label, else 0, as a float scalar: whether a
 * batch carries a task at all (a multi-source batch may have no NER rows). No gradient flows through it.
 */
export function hasLabels(g: Graph, labels: Value, rowMask?: Value, dtype: 'float32' | 'float64' = 'float32'): Value {
  const effective = rowMask ? foldRowMask(g, labels, rowMask) : labels;
  const labelled = op.cast(g, op.not(g, op.less(g, effective, g.scalar(0, effective.dtype))), dtype);
  return op.reduceMax(g, labelled, [...Array(effective.shape.length).keys()], false);
}

/** One task's loss with a learned weight (Kendall, Gal & Cipolla 2018). */
export interface LearnedWeightLoss {
  readonly loss: Value;
  /** Fixed multiplier on top of the learned one (the task's loss weight; 0 drops the task). */
  readonly weight: number;
  /** s = log sigma^2, a trainable scalar: the task's loss is scaled by exp(-s). */
  readonly logVar: Value;
  /** 1 when the batch carries this task (hasLabels), else 0: no labels, no pull on s. */
  readonly present: Value;
}

/**
 * Uncertainty weighting: sum over tasks of weight * exp(-s) * L + present * s. Minimising over s gives
 * s = log(weight * L): a task's effective weight follows the inverse of its own loss, learned in the same
 * step as the network. Without `present`, a batch with no labels for a task (L = 0) would push s down forever.
 */
export function uncertaintyWeightedSum(g: Graph, parts: readonly LearnedWeightLoss[]): Value {
  const used = parts.filter((p) => p.weight !== 0);
  if (used.length === 0) {
    throw new ModelConfigError(
      'multi-task loss: every task weight is 0, so nothing would train; give a task a weight > 0.',
    );
  }
  const terms = used.map((p) =>
    g.withScope('uncertainty', () => {
      const precision = op.exp(g, op.neg(g, p.logVar)); // exp(-s)
      const scaled = op.mul(g, p.weight === 1 ? precision : op.mulScalar(g, precision, p.weight), p.loss);
      return op.add(g, scaled, op.mul(g, p.present, p.logVar));
    }),
  );
  return terms.slice(1).reduce((acc, t) => op.add(g, acc, t), terms[0]!);
}
