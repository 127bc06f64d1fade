import type { Graph, Value } from '../onnx';
import { GraphBuildError, op } from '../onnx';

/** torch.nn.utils.clip_grad_norm_ adds this to the norm before dividing. */
export const CLIP_EPSILON = 1e-6;

/**
 * sqrt(sum over all gradients of sum(g^2)) from the elementwise squares (shared with AdamW's second moment).
 * Partial sums are chained with Add: a multi-input Sum falls back to the CPU on WebGPU.
 */
export function globalGradNorm(g: Graph, squares: readonly Value[]): Value {
  if (squares.length === 0) throw new GraphBuildError('GlobalGradNorm', 'needs at least one gradient.');
  const partial = squares.map((sq) =>
    sq.shape.length === 0
      ? sq
      : op.reduceSum(
          g,
          sq,
          sq.shape.map((_, i) => i),
          false,
        ),
  ); // []
  let total = partial[0]!;
  for (const p of partial.slice(1)) total = op.add(g, total, p);
  return op.sqrt(g, total);
}

/** min(1, maxNorm / (norm + 1e-6)) built from Div and Min (no Clip with computed bounds). */
export function clipScale(g: Graph, norm: Value, maxNorm: number): Value {
  if (!(maxNorm > 0)) {
    throw new GraphBuildError('ClipGradNorm', `max norm must be > 0, got ${maxNorm}; pass null to disable clipping.`);
  }
  const coef = op.div(g, g.scalar(maxNorm, norm.dtype), op.addScalar(g, norm, CLIP_EPSILON));
  return op.min(g, coef, g.scalar(1, norm.dtype));
}

/** Multiplies every gradient by the clip scale (for callers that need clipped gradients themselves). */
export function clipByGlobalNorm(
  g: Graph,
  grads: readonly Value[],
  maxNorm: number,
): { readonly clipped: readonly Value[]; readonly norm: Value } {
  const norm = globalGradNorm(
    g,
    grads.map((gr) => op.mul(g, gr, gr)),
  );
  const scale = clipScale(g, norm, maxNorm);
  return { clipped: grads.map((gr) => op.mul(g, gr, scale)), norm };
}
