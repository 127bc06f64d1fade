import { type Graph, type Value, op } from '../../onnx';
import { withCustomGradient } from '../custom-gradient';

/**
 * Exact (erf) GELU as in BERT: 0.5 x (1 + erf(x / sqrt 2)). Written in the op order PyTorch exports
 * (Div, Erf, Add, Mul, Mul), which ORT fuses into one Gelu kernel. Its gradient is recomputed from x alone
 * (geluBackward), so none of the four [B, T, FFN] intermediates is kept for the backward pass, and nothing
 * but the output reads them, which is what lets the fusion fire in training graphs too.
 */
export function gelu(g: Graph, x: Value): Value {
  const y = g.withScope('gelu', () => {
    const cdf = op.addScalar(g, erf(g, op.div(g, x, g.scalar(Math.SQRT2, x.dtype))), 1); // x's shape
    return op.mulScalar(g, op.mul(g, x, cdf), 0.5);
  });
  return withCustomGradient(g, [x], y, (gg, dy) => [geluBackward(gg, x, dy)]);
}

/**
 * dy * GELU'(x), GELU'(x) = Phi(x) + x phi(x) = 0.5 (1 + erf(x / sqrt 2) + x sqrt(2 / pi) exp(-x^2 / 2)).
 * Scales by Mul (not Div as the forward does) so ORT's common-subexpression pass cannot merge this
 * recomputation back into the forward and keep its intermediates alive again.
 */
function geluBackward(g: Graph, x: Value, dy: Value): Value {
  const t = op.mulScalar(g, x, Math.SQRT1_2); // x / sqrt 2
  const density = op.exp(g, op.neg(g, op.mul(g, t, t))); // exp(-x^2 / 2)
  const slope = op.mulScalar(g, op.mul(g, x, density), Math.sqrt(2 / Math.PI));
  const twice = op.add(g, op.addScalar(g, erf(g, t), 1), slope); // 2 GELU'(x)
  return op.mulScalar(g, op.mul(g, dy, twice), 0.5);
}

/** ORT's CPU EP has no float64 Erf: float64 check graphs take it in float32 (about 1e-7 relative error). */
function erf(g: Graph, x: Value): Value {
  return x.dtype === 'float64' ? op.cast(g, op.erf(g, op.cast(g, x, 'float32')), 'float64') : op.erf(g, x);
}
