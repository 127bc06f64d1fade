import type { DType, Graph, Value } from '../onnx';
import { op } from '../onnx';
import { ModelConfigError } from './errors';

export type PoolingMode = 'mean' | 'cls' | 'max';
export const POOLING_MODES: readonly PoolingMode[] = ['mean', 'cls', 'max'];

/** Padding fill for max pooling, as sentence-transformers (-1e9), kept finite in float16. */
function maxPoolFill(dtype: DType): number {
  return dtype === 'float16' ? -65504 : -1e9;
}

/**
 * Sentence embedding [B, H] from token states [B, T, H] and the float mask [B, T]:
 * mean over real tokens (sentence-transformers' clamp of the count at 1e-9), the first ([CLS]) token,
 * or the max over real tokens.
 */
export function pool(g: Graph, hidden: Value, maskFloat: Value, mode: PoolingMode): Value {
  return g.withScope(`pool.${mode}`, () => {
    const m = op.unsqueeze(g, maskFloat, [2]); // [B, T, 1]
    switch (mode) {
      case 'mean': {
        const summed = op.reduceSum(g, op.mul(g, hidden, m), [1], false); // [B, H]
        const count = op.max(g, op.reduceSum(g, m, [1], false), g.scalar(1e-9, m.dtype)); // [B, 1]
        return op.div(g, summed, count);
      }
      case 'cls':
        return op.gather(g, hidden, g.constant({ dtype: 'int64', dims: [], data: BigInt64Array.of(0n) }, 'cls'), 1); // [B, H]
      case 'max': {
        const fill = op.mulScalar(g, op.sub(g, g.scalar(1, m.dtype), m), maxPoolFill(m.dtype)); // [B, T, 1]
        return op.reduceMax(g, op.add(g, hidden, fill), [1], false); // [B, H]
      }
      default: {
        const never: never = mode;
        throw new ModelConfigError(`unknown pooling '${String(never)}'; use one of ${POOLING_MODES.join(', ')}.`);
      }
    }
  });
}
