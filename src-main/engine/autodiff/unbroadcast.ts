import { type Graph, type Value, GraphBuildError, describeValue, op, sameShape } from '../onnx';
import { AutodiffError } from './errors';

/**
 * Sums a gradient that has an op's broadcast output shape back to the shape of the input it belongs to:
 * ReduceSum over the leading extra axes and over axes where the input has 1 and the gradient does not,
 * then Squeeze the leading axes (or ReduceSum without keepdims when only leading axes are summed). Axes come from static shapes; equal symbols are taken as equal sizes, a 1
 * against a symbol as broadcast, and two different symbols (or a symbol and a number) as equal (ORT checks
 * at run time).
 */
export function unbroadcast(g: Graph, grad: Value, target: Value): Value {
  if (grad.dtype !== target.dtype) {
    throw new AutodiffError(
      `gradient ${describeValue(grad)} has another dtype than its value ${describeValue(target)}.`,
    );
  }
  if (sameShape(grad.shape, target.shape)) return grad;
  const lead = grad.shape.length - target.shape.length;
  if (lead < 0) {
    throw new AutodiffError(
      `gradient ${describeValue(grad)} has a lower rank than its value ${describeValue(target)}.`,
    );
  }
  const axes: number[] = [];
  for (let i = 0; i < grad.shape.length; i++) {
    if (i < lead) axes.push(i);
    else if (target.shape[i - lead] === 1 && grad.shape[i] !== 1) axes.push(i);
  }
  if (axes.length === 0) return grad;
  try {
    // Only leading axes (a bias [H] under [B, T, H]): one ReduceSum without keepdims, no Squeeze.
    if (axes.length === lead) return op.reduceSum(g, grad, axes, false);
    const summed = op.reduceSum(g, grad, axes, true);
    return lead > 0 ? op.squeeze(g, summed, axes.slice(0, lead)) : summed;
  } catch (e) {
    if (e instanceof GraphBuildError) {
      throw new AutodiffError(`cannot unbroadcast ${describeValue(grad)} to ${describeValue(target)}: ${e.message}`);
    }
    throw e;
  }
}
