import { type Graph, GraphBuildError, type Value, describeValue, op, typedArrayFrom } from '../../onnx';
import { stopGradient } from '../stop-gradient';

/**
 * log-softmax as x - max - log(sum(exp(x - max))) (LogSoftmax itself is not portable to WebGPU). The max
 * only keeps exp() in range; its gradient cancels exactly, so it is a stopGradient (no ReduceMax backward).
 */
export function logSoftmax(g: Graph, x: Value, axis = -1): Value {
  return g.withScope('log_softmax', () => {
    const shifted = op.sub(g, x, stopGradient(g, op.reduceMax(g, x, [axis], true))); // x's shape
    const lse = op.log(g, op.reduceSum(g, op.exp(g, shifted), [axis], true)); // [..., 1]
    return op.sub(g, shifted, lse);
  });
}

export interface CrossEntropyOptions {
  /** [C] weight per class (as torch's `weight`): the mean is weighted by the labels' class weights. */
  readonly classWeights?: Value;
  /** Label that contributes nothing (default -100, as in PyTorch and Hugging Face). */
  readonly ignoreIndex?: number;
}

/**
 * Mean softmax cross-entropy of logits [..., C] against int32/int64 labels [...]: sum(w_i nll_i) / sum(w_i)
 * over non-ignored elements (w_i = 1 or the label's class weight), and 0, not NaN, when every label is
 * ignored. The label is picked with a one-hot (Equal against 0..C-1) rather than GatherElements, so a
 * label outside [0, C) also counts as ignored.
 */
export function softmaxCrossEntropy(g: Graph, logits: Value, labels: Value, options: CrossEntropyOptions = {}): Value {
  const c = logits.shape[logits.shape.length - 1];
  if (typeof c !== 'number')
    throw new GraphBuildError('softmaxCrossEntropy', `the class dim of ${describeValue(logits)} must be static.`);
  if (labels.dtype !== 'int32' && labels.dtype !== 'int64') {
    throw new GraphBuildError('softmaxCrossEntropy', `labels ${describeValue(labels)} must be int32 or int64.`);
  }
  if (labels.shape.length !== logits.shape.length - 1) {
    throw new GraphBuildError(
      'softmaxCrossEntropy',
      `labels ${describeValue(labels)} must have the shape of ${describeValue(logits)} without its last dim.`,
    );
  }
  return g.withScope('cross_entropy', () => {
    const dtype = logits.dtype;
    const logp = logSoftmax(g, logits, -1); // [..., C]
    const classes = g.constant(
      { dtype: labels.dtype, dims: [c], data: typedArrayFrom(labels.dtype, [...Array(c).keys()]) },
      'classes',
    );
    let onehot = op.cast(g, op.equal(g, op.unsqueeze(g, labels, [-1]), classes), dtype); // [..., C], zero rows for ignored
    const ignore = options.ignoreIndex ?? -100;
    if (ignore >= 0 && ignore < c) {
      const keep = op.cast(g, op.not(g, op.equal(g, labels, g.scalar(ignore, labels.dtype))), dtype); // [...]
      onehot = op.mul(g, onehot, op.unsqueeze(g, keep, [-1]));
    }
    const picked = op.reduceSum(g, op.mul(g, onehot, logp), [-1], false); // [...]
    const perClass = options.classWeights ? op.mul(g, onehot, options.classWeights) : onehot; // [..., C]
    const weight = op.reduceSum(g, perClass, [-1], false); // [...]
    const all = [...Array(labels.shape.length).keys()];
    const total = (v: Value): Value => (all.length === 0 ? v : op.reduceSum(g, v, all, false)); // []
    const numerator = op.neg(g, total(op.mul(g, weight, picked)));
    const denominator = total(weight);
    const zero = g.scalar(0, dtype);
    const safe = op.where(g, op.greater(g, denominator, zero), denominator, g.scalar(1, dtype));
    return op.div(g, numerator, safe);
  });
}
