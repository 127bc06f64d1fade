import type { Graph, Value } from '../onnx';
import { op } from '../onnx';

/** A dense layer's forward, x [..., In] @ W[Out, In]^T + b: fp32 (`linear`) or int8 (quantize.ts). */
export type LinearFn = (g: Graph, x: Value, weight: Value, bias: Value | null) => Value;

/**
 * PyTorch Linear: x [..., In] @ W[Out, In]^T + b. The explicit Transpose feeding MatMul is what ORT's
 * optimizer folds into FusedMatMul(transB) for weights fed as inputs, and constant-folds for initializers,
 * so it costs no copy at run time; rank-2 inputs use Gemm(transB) directly.
 */
export const linear: LinearFn = (g, x, weight, bias) => {
  if (x.shape.length === 2) return op.gemm(g, x, weight, bias, { transB: true }); // [N, Out]
  const y = op.matMul(g, x, op.transpose(g, weight, [1, 0])); // [..., Out]
  return bias ? op.add(g, y, bias) : y;
};

/**
 * autodiff's composites with hand-written backwards, re-exported for the model's layers: exact GELU
 * (recomputed from x) and softmax followed by attention dropout (one backward for both).
 */
export { gelu, softmax } from '../autodiff';

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
