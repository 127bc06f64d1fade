import { type Graph, type Value, op } from '../../onnx';

/**
 * Exact (erf) GELU as in BERT: 0.5 x (1 + erf(x / sqrt 2)); Erf's rule gives its gradient. Written in the
 * op order PyTorch exports (Div, Erf, Add, Mul, Mul), which ORT's Gelu/BiasGelu fusions recognise.
 */
export function gelu(g: Graph, x: Value): Value {
  return g.withScope('gelu', () => {
    const cdf = op.addScalar(g, op.erf(g, op.div(g, x, g.scalar(Math.SQRT2, x.dtype))), 1); // x's shape
    return op.mulScalar(g, op.mul(g, x, cdf), 0.5);
  });
}
