import type { Graph, Value } from '../onnx';
import { op } from '../onnx';

/**
 * PyTorch Linear: x [..., In] @ W[Out, In]^T + b. The explicit Transpose feeding MatMul is what ORT's
 * optimizer folds into FusedMatMul(transB) for weights fed as inputs, and constant-folds for initializers,
 * so it costs no copy at run time; rank-2 inputs use Gemm(transB) directly.
 */
export function linear(g: Graph, x: Value, weight: Value, bias: Value | null): Value {
  if (x.shape.length === 2) return op.gemm(g, x, weight, bias, { transB: true }); // [N, Out]
  const y = op.matMul(g, x, op.transpose(g, weight, [1, 0])); // [..., Out]
  return bias ? op.add(g, y, bias) : y;
}

/**
 * Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as in BERT's "gelu" (not the tanh approximation). Written in
 * the op order PyTorch exports (Div, Erf, Add, Mul, Mul) so ORT's Gelu/BiasGelu fusions recognise it.
 */
export function gelu(g: Graph, x: Value): Value {
  const scaled = op.div(g, x, g.scalar(Math.SQRT2, x.dtype));
  // ORT's CPU EP has no float64 Erf: float64 check graphs take it in float32 (about 1e-7 relative error).
  const e = x.dtype === 'float64' ? op.cast(g, op.erf(g, op.cast(g, scaled, 'float32')), 'float64') : op.erf(g, scaled);
  return op.mulScalar(g, op.mul(g, x, op.addScalar(g, e, 1)), 0.5);
}

/** Where dropout may go; the training graph builder maps sites to its dropout helper. */
export type DropoutSite =
  | { readonly kind: 'embeddings' }
  | { readonly kind: 'attention-probs'; readonly layer: number }
  | { readonly kind: 'attention-output'; readonly layer: number }
  | { readonly kind: 'ffn-output'; readonly layer: number }
  | { readonly kind: 'head'; readonly task: 'classification' | 'ner' };

/** Applies dropout at a site (training graphs) or returns x unchanged (inference). */
export type DropoutFn = (g: Graph, x: Value, site: DropoutSite) => Value;

/** No dropout: the inference graph and parity checks. */
export const noDropout: DropoutFn = (_g, x) => x;
