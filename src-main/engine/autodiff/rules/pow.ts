import { type Graph, type Value, op } from '../../onnx';
import type { GradContext, GradRule } from '../rule';

/** d(a^b) = (dy * b * a^(b-1), dy * y * log(a)); the exponent's gradient needs a > 0. */
export const powGrad: GradRule = (ctx) => {
  const { g, dy, y, input, needs } = ctx;
  const a = input(0);
  return [
    needs(0) ? op.mul(g, dy, baseDerivative(g, ctx, a)) : null,
    needs(1) ? op.mul(g, op.mul(g, dy, y), op.log(g, a)) : null,
  ];
};

/** b * a^(b-1), folded at build time when b is a constant scalar (x^2 -> 2x, x^1 -> 1). */
function baseDerivative(g: Graph, ctx: GradContext, a: Value): Value {
  const data = ctx.constData(1);
  if (data && data.data.length === 1 && data.dims.length === 0) {
    const c = Number(data.data[0]);
    if (c === 1) return g.scalar(1, a.dtype);
    if (c === 2) return op.mulScalar(g, a, 2);
    return op.mulScalar(g, op.powScalar(g, a, c - 1), c);
  }
  const b = op.cast(g, ctx.input(1), a.dtype);
  return op.mul(g, b, op.pow(g, a, op.addScalar(g, b, -1)));
}
