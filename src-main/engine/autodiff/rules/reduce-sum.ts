import { op } from '../../onnx';
import { expandTo, positiveAxes, range } from '../helpers';
import type { GradRule } from '../rule';
import type { GradContext } from '../rule';

/** Broadcast dy back over the summed axes. */
export const reduceSumGrad: GradRule = (ctx) => {
  const { g, input, node, dy } = ctx;
  const emptyAxes = node.inputs.length < 2 || ctx.constInts(1)?.length === 0;
  if (emptyAxes && ctx.attrInt('noop_with_empty_axes', 0) === 1) return [dy, null]; // the op was an identity
  return [expandTo(g, keptDy(ctx, reducedAxes(ctx)), input(0)), null];
};

/** The reduced axes (attribute in opset < 18 for Mean/Max, input for Sum; none given = all). */
export function reducedAxes(ctx: GradContext): number[] {
  const rank = ctx.input(0).shape.length;
  const given = ctx.attrInts('axes') ?? (ctx.node.inputs.length > 1 ? ctx.constInts(1) : undefined);
  return given && given.length > 0 ? positiveAxes(given, rank).sort((a, b) => a - b) : range(rank);
}

/** dy (or y) with the reduced axes kept as size 1. */
export function keptDy(ctx: GradContext, axes: readonly number[], v = ctx.dy): typeof ctx.dy {
  return ctx.attrInt('keepdims', 1) === 1 ? v : op.unsqueeze(ctx.g, v, axes);
}
