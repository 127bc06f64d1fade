import type { Graph, Value } from '../onnx';
import { describeValue, op } from '../onnx';
import { stopGradient } from '../autodiff/stop-gradient';
import { ModelConfigError } from './errors';

/** Label value that contributes no loss (Hugging Face / PyTorch convention). */
export const IGNORE_INDEX = -100;

export interface MaskedLoss {
  /** [] mean loss over contributing rows; 0 (not NaN) when none contribute. */
  readonly loss: Value;
  /** [] number of contributing rows (a float). */
  readonly count: Value;
}

/**
 * Softmax cross-entropy of logits [..., C] against integer labels [...] (int32 or int64), averaged over the
 * rows whose label is a class id: -100 rows (and rows where `rowMask` [...] is 0) add nothing to the sum or
 * the count. Built from WebGPU/DirectML-safe ops: log-softmax as x - max - log(sum(exp)) with the max
 * behind stopGradient (its gradient cancels exactly), and the label picked with a one-hot from Equal, so
 * labels never need to be int64 and -100 needs no special case.
 */
export function maskedCrossEntropy(g: Graph, logits: Value, labels: Value, rowMask?: Value): MaskedLoss {
  const rank = labels.shape.length;
  if (logits.shape.length !== rank + 1) {
    throw new ModelConfigError(`cross-entropy: labels ${describeValue(labels)} must have the logits' shape without the class axis, got logits ${describeValue(logits)}.`);
  }
  if (labels.dtype !== 'int32' && labels.dtype !== 'int64') {
    throw new ModelConfigError(`cross-entropy: labels ${describeValue(labels)} must be int32 or int64 class ids (-100 = ignore).`);
  }
  const numClasses = logits.shape[rank];
  if (typeof numClasses !== 'number') {
    throw new ModelConfigError(`cross-entropy: the class axis of ${describeValue(logits)} must have a known size.`);
  }
  const dtype = logits.dtype;
  const classIds = g.constant(
    labels.dtype === 'int32'
      ? { dtype: 'int32', dims: [numClasses], data: Int32Array.from({ length: numClasses }, (_, i) => i) }
      : { dtype: 'int64', dims: [numClasses], data: BigInt64Array.from({ length: numClasses }, (_, i) => BigInt(i)) },
    'class_ids',
  ); // [C]
  const oneHot = op.cast(g, op.equal(g, op.unsqueeze(g, labels, [-1]), classIds), dtype); // [..., C]; all 0 for -100
  const shifted = op.sub(g, logits, stopGradient(g, op.reduceMax(g, logits, [-1], true))); // [..., C]
  const logSumExp = op.log(g, op.reduceSum(g, op.exp(g, shifted), [-1], true)); // [..., 1]
  const nll = op.sub(g, logSumExp, shifted); // [..., C] = -log softmax >= 0
  let picked = op.reduceSum(g, op.mul(g, oneHot, nll), [-1], false); // [...]
  let valid = op.reduceSum(g, oneHot, [-1], false); // [...] 1 for a class id, 0 for -100
  if (rowMask) {
    const m = op.cast(g, rowMask, dtype);
    picked = op.mul(g, picked, m);
    valid = op.mul(g, valid, m);
  }
  const all = labels.shape.map((_, i) => i);
  const total = op.reduceSum(g, picked, all, false); // []
  const count = op.reduceSum(g, valid, all, false); // []
  // max(count, 1): a batch with no labels for this task gives 0/1 = 0, not 0/0.
  const loss = op.div(g, total, op.max(g, count, g.scalar(1, dtype)));
  return { loss, count };
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
    throw new ModelConfigError('multi-task loss: every task weight is 0, so nothing would train; give a task a weight > 0.');
  }
  const terms = used.map((p) => (p.weight === 1 ? p.loss : op.mulScalar(g, p.loss, p.weight)));
  return terms.slice(1).reduce((acc, t) => op.add(g, acc, t), terms[0]!);
}
