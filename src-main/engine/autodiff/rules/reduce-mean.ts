import { knownSize, op } from '../../onnx';
import { expandTo } from '../helpers';
import type { GradRule } from '../rule';
import { keptDy, reducedAxes } from './reduce-sum';

/** Broadcast dy / n back over the averaged axes; n is a constant when those dims are static. */
export const reduceMeanGrad: GradRule = (ctx) => {
  const { g, input } = ctx;
  const x = input(0);
  const axes = reducedAxes(ctx);
  const dyk = keptDy(ctx, axes);
  const n = knownSize(axes.map((a) => x.shape[a]!));
  const count =
    n !== undefined ? g.scalar(n, x.dtype) : op.reduceSum(g, expandTo(g, g.scalar(1, x.dtype), x), axes, true);
  return [expandTo(g, op.div(g, dyk, count), x), null];
};
