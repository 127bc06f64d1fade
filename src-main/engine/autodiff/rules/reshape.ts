import { type Graph, type Value, op } from '../../onnx';
import type { GradRule } from '../rule';

/** Reshape back to the input's shape. */
export const reshapeGrad: GradRule = ({ g, dy, input }) => [reshapeTo(g, dy, input(0)), null];

/**
 * Reshapes v to target's shape with constant dims where the static shapes allow it (known sizes, 0 to
 * copy a symbol at the same position, one -1); otherwise with Shape(target) at run time, e.g. for
 * [B*T, H] -> [B, T, H], where no constant dims can say B and T.
 */
export function reshapeTo(g: Graph, v: Value, target: Value): Value {
  const dims = target.shape.map((d, i) => (typeof d === 'number' && d !== 0 ? d : v.shape[i] === d ? 0 : undefined));
  const unknown = dims.filter((d) => d === undefined).length;
  const spec = [{ dtype: v.dtype, shape: target.shape }];
  if (unknown > 1) return g.addNode('Reshape', [v, op.shapeOf(g, target)], spec)[0]!;
  return g.addNode('Reshape', [v, g.int64s(dims.map((d) => d ?? -1))], spec)[0]!;
}
