import { type DType, type Graph, type Value, typedArrayFrom } from '../../../onnx';
import type { Rng } from '../random';

/** Values in ±[lo, hi]: keeps kinks (Relu, Abs) and poles (Log, Div) away from the finite-difference step. */
export const awayFromZero =
  (lo = 0.2, hi = 2) =>
  (rng: Rng): number =>
    (rng.next() < 0.5 ? -1 : 1) * rng.uniform(lo, hi);

/**
 * Integers in {-1, 0, 1}: many exact ties. At a tie the central difference of max/min is half the slope,
 * which is what the Max/Min/ReduceMax rules give (dy split evenly), so ties are checkable.
 */
export const tiesLikely = (rng: Rng): number => rng.int(3) - 1;

/** Values in [lo, hi]. */
export const between =
  (lo: number, hi: number) =>
  (rng: Rng): number =>
    rng.uniform(lo, hi);

/** An integer constant tensor (indices, labels). */
export function ints(g: Graph, dtype: DType, dims: readonly number[], values: readonly number[]): Value {
  return g.constant({ dtype, dims, data: typedArrayFrom(dtype, values) }, 'idx');
}
