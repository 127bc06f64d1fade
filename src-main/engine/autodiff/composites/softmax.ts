import { type Graph, GraphBuildError, type Value, describeValue, op, sameShape } from '../../onnx';
import { withCustomGradient } from '../custom-gradient';

/**
 * What follows the softmax inside `softmax()`: p times a factor that does not depend on p (dropout's keep
 * mask, Where(keep, p / (1 - rate), 0) or p * mask), or p itself.
 */
export type SoftmaxScaling = (g: Graph, p: Value) => Value;

/**
 * Softmax over `axis`, then `scaling` (attention dropout), with one backward for both. With q = c p, where c
 * does not depend on the softmax's input x: dx = p (c dq) - p sum(p c dq) = w - p sum(w), w = q dq.
 * That is three passes over x's shape (Mul, Mul, Sub) and one reduction, where the rules of dropout's Where
 * and Mul and then Softmax's Mul, Sub and Mul take five, and the forward is unchanged (p and q are kept for
 * the backward as the rules keep them). `scaling` must not read x or p other than as that one factor.
 */
export function softmax(g: Graph, x: Value, axis = -1, scaling: SoftmaxScaling = (_g, p) => p): Value {
  const p = op.softmax(g, x, axis);
  const q = scaling(g, p);
  if (q.dtype !== p.dtype || !sameShape(q.shape, p.shape)) {
    throw new GraphBuildError(
      'Softmax',
      `the scaling after the softmax must return p's dtype and shape (${describeValue(p)}), got ${describeValue(q)}.`,
    );
  }
  return withCustomGradient(g, [x], q, (gg, dq) => {
    const w = op.mul(gg, q, dq); // x's shape
    const dot = op.reduceSum(gg, w, [axis], true); // [..., 1, ...]
    return [op.sub(gg, w, op.mul(gg, p, dot))];
  });
}
