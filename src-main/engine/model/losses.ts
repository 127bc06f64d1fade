import { type Graph, type Value, describeValue, op } from '../onnx';
import { softmaxCrossEntropy } from '../autodiff';
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
  let effective = labels;
  if (rowMask) {
    const keep = op.greater(g, op.cast(g, rowMask, 'float32'), g.scalar(0, 'float32')); // [...]
    effective = op.where(g, keep, labels, g.scalar(IGNORE_INDEX, labels.dtype));
  }
  return softmaxCrossEntropy(g, logits, effective, { ignoreIndex: IGNORE_INDEX });
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
