import { op } from '../../onnx';
import type { GradRule } from '../rule';
import { keptDy, reducedAxes } from './reduce-sum';

/** dy goes to the maximal elements, split evenly among ties (as torch.amax does). */
export const reduceMaxGrad: GradRule = (ctx) => {
  const { g, input, y } = ctx;
  const x = input(0);
  const axes = reducedAxes(ctx);
  const winners = op.cast(g, op.equal(g, x, keptDy(ctx, axes, y)), x.dtype); // x's shape, 1 at maxima
  const share = op.div(g, keptDy(ctx, axes), op.reduceSum(g, winners, axes, true)); // kept shape
  return [op.mul(g, winners, share), null];
};
