import { type Graph, type Value, op } from '../../onnx';

/** Exact (erf) GELU as in BERT: 0.5 x (1 + erf(x / sqrt 2)); Erf's rule gives its gradient. */
export function gelu(g: Graph, x: Value): Value {
  return g.withScope('gelu', () => {
    const cdf = op.addScalar(g, op.erf(g, op.mulScalar(g, x, Math.SQRT1_2)), 1); // x's shape
    return op.mul(g, op.mulScalar(g, x, 0.5), cdf);
  });
}
